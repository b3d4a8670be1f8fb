import Testing
@testable import AgentCore

@Suite("Workflow loading and validation")
struct WorkflowLoaderTests {
    let registry = Fixtures.engineRegistry(log: ExecutionLog())

    func diagnostics(_ yaml: String) -> [Diagnostic] {
        do {
            _ = try WorkflowLoader.load(source: yaml, file: "w.yaml", registry: registry)
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func theSeedCurrentTierWorkflowLoadsUnchanged() throws {
        let definition = try WorkflowLoader.load(source: try Fixtures.source("current_tier.yaml"), file: "current_tier.yaml",
                                                 registry: Fixtures.seedRegistry())
        #expect(definition.name == "current_tier_analysis")
        #expect(definition.steps.map(\.name) == ["validate_ein", "fetch_organization_data", "validate_data_quality",
                                                  "calculate_financial_metrics", "assess_risk", "generate_report"])
        #expect(definition.inputs.map(\.name) == ["organization_ein", "analysis_focus"])
        #expect(definition.inputs[1].kind == .enumeration(["general", "funding_readiness", "specific_opportunity"]))
        #expect(definition.inputs[1].defaultValue == "general")
        #expect(definition.qualityGates.map(\.failureAction) == [.requestAdditionalData, .expertValidationRecommended])
        #expect(definition.step(named: "fetch_organization_data")?.outputs == [OutputAlias(alias: "organization_profile", path: ["organization_data"])])
        #expect(definition.estimatedCost == 0.75)
    }

    @Test func theSeedWorkflowFailsWithoutItsTools() {
        do {
            _ = try WorkflowLoader.load(source: try Fixtures.source("current_tier.yaml"), file: "current_tier.yaml", registry: registry)
            Issue.record("expected unknown tools")
        } catch let error as WorkflowValidationError {
            #expect(error.diagnostics.contains { $0.message == "unknown tool 'ein_validator_tool' in step 'validate_ein'" && $0.location.line == 17 })
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func cyclesNameEveryStepOnThem() {
        let found = diagnostics("""
            workflow: w
            steps:
              - name: a
                tool: echo
                depends_on: [c]
                inputs: { value: 1 }
              - name: b
                tool: echo
                depends_on: [a]
                inputs: { value: 1 }
              - name: c
                tool: echo
                depends_on: [b]
                inputs: { value: 1 }
            """)
        #expect(found.count == 1)
        #expect(found.first?.message == "dependency cycle: a → c → b → a (a step on it can never start)")
        #expect(found.first?.location == SourceLocation(file: "w.yaml", line: 5, column: 17))
    }

    @Test func unknownKeysSuggestTheClosestName() {
        let found = diagnostics("""
            workflow: w
            stpes: []
            steps:
              - name: a
                tool: echo
                dependson: []
                inputs: { value: 1 }
            """)
        #expect(found.map(\.description) == [
            "w.yaml:2:1: error: unknown key 'stpes' in the workflow\n    hint: did you mean 'steps'?",
            "w.yaml:6:5: error: unknown key 'dependson' in a step\n    hint: did you mean 'depends_on'?",
        ])
    }

    @Test func referencesMustComeFromDependencies() {
        let found = diagnostics("""
            workflow: w
            inputs:
              - name: ein
                type: string
            steps:
              - name: a
                tool: echo
                inputs: { value: "{{ ein }}" }
                outputs: { result: value }
              - name: b
                tool: echo
                inputs: { value: "{{ result }}" }
              - name: c
                tool: echo
                depends_on: [a]
                inputs: { value: "{{ reslt.x }}" }
            """)
        #expect(found.map(\.message) == [
            "'result' comes from step 'a', which step 'b' does not depend on",
            "unknown name 'reslt' in input 'value' of step 'c'",
        ])
        #expect(found.map(\.hint) == ["add 'a' to the depends_on of 'b'", "did you mean 'result'?"])
        #expect(found.first?.location.line == 12)
    }

    @Test func inputTypesAreCheckedAgainstTheToolSchema() {
        let found = diagnostics("""
            workflow: w
            steps:
              - name: nap
                tool: sleep
                inputs: { seconds: "soon" }
              - name: other
                tool: sleep
                depends_on: [nap]
                inputs:
                  seconds: "{{ nap.value }} s"
                  extra: 1
            """)
        #expect(found.map(\.message) == [
            "step 'nap': inputs.seconds: expected number, got string",
            "step 'other': inputs.seconds: expected number, got string (text with {{ }} is always a string)",
            "tool 'sleep' of step 'other' has no input 'extra'",
        ])
    }

    @Test func outputAliasesMustNameFieldsTheToolReturns() {
        let found = diagnostics("""
            workflow: w
            steps:
              - name: a
                tool: flaky
                inputs: { n: 1 }
                outputs: { x: valu }
            """)
        #expect(found.map(\.message) == ["output 'x' names 'valu', which tool 'flaky' does not return"])
        #expect(found.first?.hint == "did you mean 'value'?")
    }

    @Test func duplicatesUnknownToolsAndDependencies() {
        let found = diagnostics("""
            workflow: w
            steps:
              - name: a
                tool: ecko
                inputs: { value: 1 }
              - name: a
                tool: echo
                depends_on: [z]
                inputs: { value: 1 }
            """)
        #expect(found.map(\.message) == [
            "unknown tool 'ecko' in step 'a'",
            "duplicate step name 'a'",
            "step 'a' depends on unknown step 'z'",
        ])
        #expect(found.first?.hint == "did you mean 'echo'?")
    }

    @Test func malformedExpressionsPointAtTheColumn() {
        let found = diagnostics("""
            workflow: w
            steps:
              - name: a
                tool: echo
                condition: "1 >> 2"
                inputs: { value: "{{ 1 + }}" }
            """)
        #expect(found.map(\.description) == [
            "w.yaml:5:20: error: malformed expression in the condition of step 'a': expected a value, a name or '(', got '>'",
            "w.yaml:6:28: error: malformed expression in input 'value' of step 'a': unexpected character '+'\n    hint: expressions use names, numbers, quoted strings, comparisons and and/or/not",
        ])
    }

    @Test func yamlSyntaxErrorsHaveALocation() {
        let found = diagnostics("workflow: w\nsteps:\n  - name: a\n    inputs: {value: [1, 2}\n")
        #expect(found.count == 1)
        #expect(found.first?.location.line == 4)
        #expect(found.first?.message.hasPrefix("YAML syntax error:") == true)
    }

    @Test func namesDefinedTwiceAreRefused() {
        let found = diagnostics("""
            workflow: w
            inputs:
              - name: x
            steps:
              - name: a
                tool: echo
                inputs: { value: 1 }
                outputs: { x: value }
            """)
        #expect(found.map(\.message) == ["the name 'x' is defined more than once: workflow input, output alias of step 'a'"])
    }

    @Test func inputsAreBoundAndConverted() throws {
        let definition = try WorkflowLoader.load(source: """
            workflow: w
            inputs:
              - { name: n, type: int }
              - { name: mode, type: enum, values: [fast, slow], default: fast }
            steps:
              - { name: a, tool: echo, inputs: { value: "{{ n }}" } }
            """, file: "w.yaml", registry: registry)
        #expect(try definition.bindInputs(["n": "42"]) == ["n": 42, "mode": "fast"])
        #expect(throws: InputBindingError.self) { try definition.bindInputs(["n": "many"]) }
        do {
            _ = try definition.bindInputs(["mode": "medium", "nn": 1])
        } catch {
            #expect(error.problems == [
                "inputs.nn: workflow 'w' has no such input (did you mean 'n'?); its inputs are: n, mode",
                "inputs.n: required input is missing (integer)",
                "inputs.mode: expected one of fast, slow, got \"medium\"",
            ])
        }
    }
}

/// Hostile workflow files are refused fast, with a location: alias bombs, deep nesting, huge documents, deep conditions.
@Suite("Workflow loader bounds")
struct WorkflowLoaderBoundsTests {
    static func bomb(levels: Int = 9, width: Int = 9) -> String {
        var lines = ["workflow: bomb", "steps:", "  - name: a", "    tool: echo", "    inputs:", "      l0: &l0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1..<levels {
            lines.append("      l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func diagnostics(_ source: String) -> [Diagnostic] {
        do {
            _ = try WorkflowLoader.load(source: source, file: "hostile.yaml", registry: Fixtures.engineRegistry(log: ExecutionLog()))
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func anAliasBombIsRefusedAtItsLine() {
        let clock = ContinuousClock()
        let started = clock.now
        let found = diagnostics(Self.bomb())
        #expect(clock.now - started < .seconds(5))
        let first = try? #require(found.first)
        #expect(first?.message.contains("aliases are expanded") == true, "\(found)")
        #expect(first?.location.file == "hostile.yaml" && (first?.location.line ?? 0) >= 6)
    }

    @Test func deepNestingAndHugeDocumentsAreRefused() {
        let deep = "workflow: deep\nsteps:\n  - name: a\n    tool: echo\n    inputs:\n      v: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        #expect(diagnostics(deep).first?.message.contains("deeper than \(YAMLBounds.maximumDepth)") == true)
        let huge = "workflow: huge\n# " + String(repeating: "x", count: YAMLBounds.maximumBytes) + "\nsteps: []\n"
        #expect(diagnostics(huge).first?.message.contains("at most") == true)
    }

    @Test func aConditionOfTenThousandParenthesesIsADiagnostic() {
        let condition = String(repeating: "(", count: 10_000) + "1 > 0" + String(repeating: ")", count: 10_000)
        let source = "workflow: parens\nsteps:\n  - name: a\n    tool: echo\n    condition: \"\(condition)\"\n    inputs: { value: 1 }\n"
        let found = diagnostics(source)
        #expect(found.contains { $0.message.contains("nests deeper than") && $0.location.line == 5 }, "\(found.map(\.message))")
    }
}
