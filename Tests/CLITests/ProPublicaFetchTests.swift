import AgentCore
import Foundation
import TestSupport
import Synchronization
import Testing

/// `catalynx data fetch` against a local stand-in for the ProPublica API serving the real responses.
@Suite("CLI: ProPublica fetch", .serialized)
struct ProPublicaFetchTests {
    static let fixtures = CLIHarness.packageRoot.appendingPathComponent("data/propublica/organizations")

    @Test func retriesOn429And5xxCachesAndReportsWhatWentWrong() throws {
        let hits = Mutex([String: Int]())
        let server = try LocalHTTPServer { path, _ in
            let count = hits.withLock { $0[path, default: 0] += 1; return $0[path]! }
            switch path {
            case "/api/v2/organizations/541230284.json":
                if count == 1 { return .init(status: 429, body: Data("slow down".utf8), headers: [("Retry-After", "0")]) }
                if count == 2 { return .init(status: 503, body: Data()) }
                let body = (try? Data(contentsOf: Self.fixtures.appendingPathComponent("541230284.json"))) ?? Data()
                return .init(status: 200, body: body, headers: [("Content-Type", "application/json")])
            case "/api/v2/organizations/510151069.json":
                return .init(status: 500, body: Data("down".utf8))
            case "/api/v2/organizations/520000001.json":
                return .init(status: 200, body: Data("<html>maintenance</html>".utf8))
            default:
                return .init(status: 404, body: Data("{}".utf8))
            }
        }
        defer { server.shutdown() }
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_PROPUBLICA_URL"] = server.baseURL + "/api/v2"
        cli.extraEnvironment["CATALYNX_HTTP_BACKOFF_MS"] = "10"

        let fetched = try cli.run("data", "fetch", "54-1230284")
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("Virginia Primary Care Assn Inc — 11 filings imported (from the network)"))
        #expect(hits.withLock { $0["/api/v2/organizations/541230284.json"] } == 3)  // 429, 503, then 200

        let cached = try cli.run("data", "fetch", "541230284")
        #expect(cached.stdout.contains("(from the cache)"))
        #expect(hits.withLock { $0["/api/v2/organizations/541230284.json"] } == 3)
        #expect(try cli.run("data", "fetch", "541230284", "--refresh").stdout.contains("(from the network)"))

        let failing = try cli.run("data", "fetch", "510151069")
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("ProPublica answered HTTP 500 after 4 attempts"))
        let unknown = try cli.run("data", "fetch", "86-0000001")
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("ProPublica has no organization with EIN 86-0000001"))
        let garbage = try cli.run("data", "fetch", "520000001")
        #expect(garbage.status == 1)
        #expect(garbage.stderr.contains("the response is not usable"))
    }

    @Test func offlineIsAClearMessage() throws {
        var cli = try CLIHarness()
        cli.extraEnvironment["CATALYNX_PROPUBLICA_URL"] = "http://127.0.0.1:9/api/v2"  // nothing listens on the discard port
        cli.extraEnvironment["CATALYNX_HTTP_BACKOFF_MS"] = "10"
        let offline = try cli.run("data", "fetch", "541230284")
        #expect(offline.status == 1)
        #expect(offline.stderr.contains("cannot reach 127.0.0.1"))
        #expect(offline.stderr.contains("import saved responses with `catalynx data import-propublica FILE`"))
    }
}
