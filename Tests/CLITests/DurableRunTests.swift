import AgentCore
import Foundation
import Testing

/// End to end: the real binary, a real SQLite file, a real SIGKILL.
@Suite("CLI: durable runs", .serialized)
struct DurableRunTests {
    @Test func aRunKilledMidStepResumesAndEveryCompletedStepRanOnce() throws {
        let cli = try CLIHarness()
        let effects = cli.sandbox + "/effects.log"
        let (process, _, _) = try cli.launch(["run", CLIHarness.example("durable.yaml"), "--input", "hold_seconds=3"])
        let reachedSlowStep = CLIHarness.waitUntil {
            ((try? String(contentsOfFile: effects, encoding: .utf8)) ?? "").contains("slow\t")
        }
        #expect(reachedSlowStep)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let listed = try cli.run("runs", "list", "--format", "json")
        guard case .array(let runs)? = listed.json, let runID = runs.first?["id"]?.stringValue else {
            Issue.record("no run listed: \(listed.stdout) \(listed.stderr)")
            return
        }
        #expect(runs.first?["status"] == "running")  // the log says running: the process died, not the run

        let resumed = try cli.run("runs", "resume", String(runID.prefix(16)), "--format", "json")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.json?["status"] == "completed")

        let lines = try String(contentsOfFile: effects, encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let byText = Dictionary(grouping: lines, by: { $0[0] })
        #expect(byText["one"]?.count == 1)
        #expect(byText["two"]?.count == 1)
        #expect(byText["four"]?.count == 1)
        // The interrupted step ran again, with the same idempotency key.
        #expect(byText["slow"]?.map { $0[1] } == ["\(runID)/slow/1", "\(runID)/slow/1"])

        let events = try cli.run("runs", "events", runID, "--format", "json")
        let kinds = events.stdout.split(separator: "\n").compactMap { try? Value(json: String($0)) }
        let slowStarts = kinds.filter { $0["type"] == "StepStarted" && $0["step"] == "slow" }
        #expect(slowStarts.map { $0["resumed"] ?? false } == [false, true])
        #expect(kinds.filter { $0["type"] == "StepSucceeded" }.count == 4)
    }

    @Test func aRunIsForkedFromAStepWithANewInputAndBothReplay() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("chain.yaml", """
            workflow: chain
            inputs:
              - { name: who, type: string, default: world }
            steps:
              - { name: greet, tool: echo, inputs: { value: "hello {{ who }}" } }
              - { name: shout, tool: echo, depends_on: [greet], inputs: { value: "{{ greet.value }}!" } }
            """)
        let original = try cli.run("run", workflow, "--format", "json")
        #expect(original.status == 0, "\(original.stderr)")
        let runID = try #require(original.json?["run_id"]?.stringValue)

        let forked = try cli.run("runs", "fork", runID, "--from", "greet", "--input", "who=board", "--format", "json")
        #expect(forked.status == 0, "\(forked.stderr)")
        #expect(forked.json?["status"] == "completed")
        #expect(forked.json?["steps"]?["shout"]?["output"]?["value"] == "hello board!")
        #expect(forked.json?["steps"]?["greet"]?["executions"] == 1)  // run again from greet, with the new input
        let forkID = try #require(forked.json?["run_id"]?.stringValue)
        #expect(forkID != runID)
        let shown = try cli.run("runs", "show", forkID, "--format", "json")
        #expect(shown.json?["forked_from"] == ["run_id": .string(runID), "step": "greet"])
        #expect(try cli.run("runs", "show", forkID).stdout.contains("forked    from run \(runID) at step greet"))

        for id in [runID, forkID] {
            let replay = try cli.run("runs", "replay", id, "--format", "json")
            #expect(replay.status == 0, "\(replay.stdout) \(replay.stderr)")
            #expect(replay.json?["deterministic"] == true)
            #expect(replay.json?["state_matches"] == true)
        }

        // The workflow as edited since: its second step would now say something else.
        let edited = try cli.write("chain.yaml", try String(contentsOfFile: workflow, encoding: .utf8).replacingOccurrences(of: "}}!", with: "}}?"))
        let diverged = try cli.run("runs", "replay", runID, "--workflow", edited)
        #expect(diverged.status == 1)
        #expect(diverged.stdout.contains("diverges at event 4:"), "\(diverged.stdout)")
        #expect(diverged.stdout.contains(#"  - recorded: StepStarted shout#1 (echo) inputs {"value":"hello world!"}"#), "\(diverged.stdout)")
        #expect(diverged.stdout.contains(#"  + decided:  StepStarted shout#1 (echo) inputs {"value":"hello world?"}"#))

        let unknown = try cli.run("runs", "fork", runID, "--from", "nowhere")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("step 'nowhere' never began in run \(runID), so there is nothing to fork from; steps that began: greet, shout"))
    }

    @Test func pauseFromAnotherProcessThenResume() throws {
        let cli = try CLIHarness()
        let workflow = try cli.write("two.yaml", """
            workflow: two_naps
            steps:
              - { name: first, tool: sleep, inputs: { seconds: 3 } }
              - { name: second, tool: echo, depends_on: [first], inputs: { value: done } }
            """)
        let (process, out, _) = try cli.launch(["run", workflow, "--format", "json"])
        var runID: String?
        #expect(CLIHarness.waitUntil {
            runID = (try? cli.run("runs", "list", "--format", "json"))?.json.flatMap { json -> String? in
                if case .array(let runs) = json { return runs.first?["id"]?.stringValue }
                return nil
            }
            return runID != nil
        })
        let paused = try cli.run("runs", "pause", runID ?? "", "--reason", "checking the data")
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(paused.stdout.contains("is paused"))
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 3)  // paused
        let state = try Value(json: String(decoding: output, as: UTF8.self))
        #expect(state["status"] == "paused")
        #expect(state["pause_reason"] == "checking the data")
        #expect(state["steps"]?["first"]?["status"] == "succeeded")
        #expect(state["steps"]?["second"]?["status"] == "pending")

        let resumed = try cli.run("runs", "resume", runID ?? "")
        #expect(resumed.status == 0)
        #expect(resumed.stderr.contains("▶ second [echo]"))
        #expect(!resumed.stderr.contains("▶ first"))
        let cancelled = try cli.run("runs", "cancel", runID ?? "")
        #expect(cancelled.status == 2)
        #expect(cancelled.stderr.contains("is completed; RunCancelled does not apply"))
    }
}
