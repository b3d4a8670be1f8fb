import AgentCore
import Foundation
import Testing

/// `catalynx mcp` as an MCP client launches it: JSON-RPC over stdio, one message a line.
@Suite("CLI: mcp")
struct MCPTests {
    @Test func anMCPClientListsTheToolsAnalyzesSearchesAndGetsAClearErrorForABadEIN() throws {
        let cli = AnalyzeTests.shared
        let input = Pipe()
        let (process, out, _) = try cli.launch(["mcp"], input: input)
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        let messages = [
            #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}"#,
            #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
            #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"analyze_organization","arguments":{"ein":"541230284","tier":"standard"}}}"#,
            #"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"search_organizations","arguments":{"query":"primary care","state":"VA"}}}"#,
            #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_organization","arguments":{"ein":"00-1234567"}}}"#,
        ]
        for message in messages { input.fileHandleForWriting.write(Data((message + "\n").utf8)) }

        // Read answers (in any order) until ids 1…5 have all come back.
        var answers: [Int: Value] = [:]
        var pending = Data()
        let reader = out.fileHandleForReading
        let deadline = Date().addingTimeInterval(60)
        while answers.count < 5, Date() < deadline {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if let message = try? Value(json: line), let id = message["id"]?.numberValue { answers[Int(id)] = message }
            }
        }
        input.fileHandleForWriting.closeFile()

        #expect(answers[1]?["result"]?["serverInfo"]?["name"] == "catalynx")
        let names = answers[2]?["result"]?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(Set(names) == ["analyze_organization", "search_organizations", "get_organization", "get_run", "list_approvals", "answer_approval"])
        let analysis = try Value(json: try #require(answers[3]?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue))
        #expect(answers[3]?["result"]?["isError"] == false)
        #expect(analysis["status"] == "completed" && analysis["organization"]?["name"] == "Virginia Primary Care Assn Inc")
        #expect(analysis["workflow"] == "standard_tier_analysis" && analysis["metrics"] != nil)
        let found = try Value(json: try #require(answers[4]?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue))
        #expect(found.arrayValue?.first?["ein"] == "541230284")
        #expect(answers[5]?["result"]?["isError"] == true)
        #expect(answers[5]?["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue?.contains("prefix 00") == true)
    }
}
