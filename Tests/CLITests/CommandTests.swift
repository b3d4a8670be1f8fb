import AgentCore
import Foundation
import Testing

@Suite("CLI: commands and exit codes")
struct CommandTests {
    @Test func validateNamesTheCycleAndExitsTwo() throws {
        let cli = try CLIHarness()
        let file = try cli.write("cycle.yaml", """
            workflow: cyclic
            steps:
              - { name: fetch, tool: echo, depends_on: [report], inputs: { value: 1 } }
              - { name: score, tool: echo, depends_on: [fetch], inputs: { value: 1 } }
              - { name: report, tool: echo, depends_on: [score], inputs: { value: 1 } }
            """)
        let result = try cli.run("workflows", "validate", file)
        #expect(result.status == 2)
        #expect(result.stderr.contains("cycle.yaml:3:44: error: dependency cycle: fetch → report → score → fetch"))
        let json = try cli.run("workflows", "validate", file, "--format", "json")
        #expect(json.status == 2)
        if case .array(let files)? = json.json, case .array(let errors)? = files.first?["errors"] {
            #expect(errors.first?["line"] == 3)
            #expect(errors.first?["column"] == 44)
        } else {
            Issue.record("unexpected JSON: \(json.stdout)")
        }
    }

    @Test func validExamplesValidate() throws {
        let cli = try CLIHarness()
        let files = ["hello.yaml", "retries.yaml", "parallel.yaml", "durable.yaml"].map(CLIHarness.example)
        let result = try cli.run(["workflows", "validate"] + files)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 4)
    }

    @Test func runReportsCompletionFailureAndBadInputWithTheirExitCodes() throws {
        let cli = try CLIHarness()
        let hello = try cli.run("run", CLIHarness.example("hello.yaml"), "--input", "count=7", "--format", "json")
        #expect(hello.status == 0)
        #expect(hello.json?["status"] == "completed")
        #expect(hello.json?["outputs"]?["message"] == "hello, world")
        #expect(hello.json?["steps"]?["only_when_many"]?["status"] == "succeeded")

        let failing = try cli.write("fail.yaml", """
            workflow: failing
            steps:
              - { name: doomed, tool: fail_n_times, inputs: { n: 5, key: k }, retry: { max_attempts: 2, delay_s: 0 } }
            """)
        let failed = try cli.run("run", failing)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("status    failed — step 'doomed' failed after 2 attempts: Deliberate: k: deliberate failure 2 of 5"))
        #expect(failed.stdout.contains("recovery tried: retry 2/2 of fail_n_times after 0 ms"))
        #expect(failed.stderr.contains("✗ doomed: Deliberate"))

        let badInput = try cli.run("run", CLIHarness.example("hello.yaml"), "--input", "count=lots")
        #expect(badInput.status == 2)
        #expect(badInput.stderr.contains("inputs.count: expected integer, got string"))
        let badFlag = try cli.run("run", "--nope")
        #expect(badFlag.status == 2)
        let missing = try cli.run("run", "no-such-workflow")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no workflow file or workflow named 'no-such-workflow'"))
    }

    @Test func showAndEventsTellTheWholeStory() throws {
        let cli = try CLIHarness()
        let run = try cli.run("run", CLIHarness.example("retries.yaml"), "--format", "json")
        #expect(run.status == 0, "\(run.stderr)")
        let runID = run.json?["run_id"]?.stringValue ?? ""
        let show = try cli.run("runs", "show", runID)
        #expect(show.status == 0)
        #expect(show.stdout.contains("flaky           succeeded"))
        #expect(show.stdout.contains("optional_extra  failed (abandoned)"))
        #expect(show.stdout.contains("recovery tried: graceful degradation (the run continued without the step)"))
        let showJSON = try cli.run("runs", "show", runID, "--format", "json")
        #expect(showJSON.json?["steps"]?["flaky"]?["attempt"] == 3)
        #expect(showJSON.json?["steps"]?["summary"]?["output"]?["value"] == "flaky took 3 attempts; fallback gave 0")
        let events = try cli.run("runs", "events", runID)
        #expect(events.stdout.contains("StepRetryScheduled"))
        #expect(events.stdout.contains("StepAbandoned"))
        let unknown = try cli.run("runs", "show", "run_does_not_exist")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no run 'run_does_not_exist'"))
    }

    @Test func helpIsShownAndExitsZero() throws {
        let cli = try CLIHarness()
        let root = try cli.run("--help")
        #expect(root.status == 0)
        #expect(root.stdout.contains("Exit codes: 0 completed"))
        #expect(root.stdout.contains("org"))
        let runs = try cli.run("runs", "--help")
        #expect(runs.status == 0)
        #expect(runs.stdout.contains("resume"))
        let subcommand = try cli.run("help", "data", "import-bmf")
        #expect(subcommand.status == 0)
        #expect(subcommand.stdout.contains("OVERVIEW: Import IRS Exempt Organizations Business Master File CSVs"))
        #expect(try cli.run("--version").stdout.contains("0.1.0"))
    }

    @Test func processesCreatingTheSameNewFilesTogetherAllSucceed() throws {
        // Keys and runs of a fresh CATALYNX_HOME, created by eight processes at the same moment.
        let cli = try CLIHarness()
        let launched = try (0..<8).map { index in
            try cli.launch(index % 2 == 0 ? ["keys", "create", "--name", "k\(index)", "--scope", "read"] : ["runs", "list", "--format", "json"])
        }
        for (process, out, err) in launched {
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stdout)\(stderr)")
        }
        let keys = try cli.run("keys", "list")
        #expect((0..<8).filter { $0 % 2 == 0 }.allSatisfy { keys.stdout.contains("k\($0)") }, "\(keys.stdout)")
    }

    @Test func aBinaryStartedByARelativePathFindsItsWorkflows() throws {
        // `./catalynx` from its own folder: the installation's folders are looked up from the absolute path.
        let folder = (CLIHarness.binary as NSString).deletingLastPathComponent
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "cd \"$0\" && ./catalynx workflows list --format json", folder]
        shell.environment = ProcessInfo.processInfo.environment.merging(["CATALYNX_HOME": try CLIHarness().home]) { $1 }
        let out = Pipe()
        shell.standardOutput = out
        shell.standardError = Pipe()
        try shell.run()
        let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(listed.contains("current_tier_analysis"))
    }

    @Test func toolsListShowsSchemas() throws {
        let cli = try CLIHarness()
        let table = try cli.run("tools", "list")
        #expect(table.stdout.contains("fail_n_times"))
        let json = try cli.run("tools", "list", "--format", "json")
        guard case .array(let tools)? = json.json else { Issue.record("not JSON"); return }
        let sleep = tools.first { $0["name"] == "sleep" }
        #expect(sleep?["input_schema"]?["required"] == ["seconds"])
        let names = Set(tools.compactMap { $0["name"]?.stringValue })
        #expect(names == ["append_line", "echo", "fail_n_times", "http_get", "sleep",
                          "ein_validator_tool", "bmf_data_fetcher_tool", "propublica_990_fetcher_tool", "data_normalizer_tool",
                          "data_validator_tool", "financial_metrics_calculator_tool", "risk_score_calculator_tool",
                          "peer_similarity_calculator_tool", "opportunity_scorer_tool", "network_analyzer_tool", "landscape_analyzer_tool",
                          "summary_generator_tool", "report_generator_tool", "chart_generator_tool", "data_exporter_tool",
                          "expert_validator_tool", "ai_content_analyzer_tool", "funder_profile_tool", "officer_network_tool", "funder_fit_tool"])
        let validator = tools.first { $0["name"] == "data_validator_tool" }
        #expect(validator?["output_schema"]?["properties"]?["validation_results"]?["properties"]?["completeness_score"] != nil)
    }

    @Test func workflowsListFindsTheExamples() throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_WORKFLOWS_DIR"] = CLIHarness.packageRoot.appendingPathComponent("workflows").path
        let listed = try cli.run("workflows", "list", "--format", "json")
        guard case .array(let workflows)? = listed.json else { Issue.record("not JSON: \(listed.stdout)"); return }
        let names = Set(workflows.compactMap { $0["workflow"]?.stringValue })
        #expect(names.isSuperset(of: ["hello", "retries", "parallel_fan_out", "durable_effects"]))
        let byName = try cli.run("run", "hello", "--format", "json")
        #expect(byName.json?["status"] == "completed")
    }
}
