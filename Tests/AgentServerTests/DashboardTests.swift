import AgentCore
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import CatalynxApp
@testable import AgentServer

/// The dashboard's sessions and forms: every way in without a session, without write scope or
/// without the CSRF token is refused and starts nothing.
@Suite("Server dashboard")
struct DashboardTests {
    let api = ServerAPITests()

    /// Signs in with a key through the form; returns the session cookie and the session's CSRF token.
    func signIn(_ token: String, _ client: some TestClientProtocol) async throws -> (cookie: String, csrf: String) {
        let page = try await client.execute(uri: "/signin", method: .get)
        let signinToken = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
        let signedIn = try await client.execute(uri: "/signin", method: .post,
                                                headers: [.cookie: "\(Dashboard.signinCookie)=\(signinToken)", .contentType: "application/x-www-form-urlencoded"],
                                                body: ByteBuffer(string: "csrf=\(signinToken)&key=\(token)"))
        #expect(signedIn.status == .seeOther && signedIn.headers[.location] == "/runs")
        let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix(Dashboard.sessionCookie) })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        let session = String(cookie.split(separator: ";")[0])
        let runs = try await client.execute(uri: "/runs", method: .get, headers: [.cookie: session])
        return (session, try #require(Self.hidden("csrf", in: String(buffer: runs.body))))
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func form(_ session: String, _ body: String) -> (HTTPFields, ByteBuffer) {
        ([.cookie: session, .contentType: "application/x-www-form-urlencoded"], ByteBuffer(string: body))
    }

    @Test func pagesNeedASessionAndFormsNeedWriteScopeAndTheCSRFToken() async throws {
        let setup = try api.setup()
        let services = setup.services
        let app = Application(router: try CatalynxServer.router(services))
        try await app.test(.router) { client in
            // No session: every page leads to the sign-in form; a form post changes nothing.
            for path in ["/runs", "/approvals", "/analyze", "/organizations"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther && response.headers[.location] == "/signin", "\(path)")
            }
            let anonymous = form("", "ein=x&tier=current_tier")
            #expect(try await client.execute(uri: "/analyze", method: .post, headers: anonymous.0, body: anonymous.1).headers[.location] == "/signin")
            // Sign-in without its double-submit token, or with a revoked key.
            let noToken = try await client.execute(uri: "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: "key=\(setup.write)"))
            #expect(noToken.status == .forbidden && noToken.headers[.setCookie] == nil)
            let page = try await client.execute(uri: "/signin", method: .get)
            let signinToken = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
            let revoked = try await client.execute(uri: "/signin", method: .post,
                                                   headers: [.cookie: "\(Dashboard.signinCookie)=\(signinToken)", .contentType: "application/x-www-form-urlencoded"],
                                                   body: ByteBuffer(string: "csrf=\(signinToken)&key=\(setup.revoked)"))
            #expect(revoked.status == .unauthorized && String(buffer: revoked.body).contains("unknown or revoked"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)

            // A read key may look but not start or answer.
            let reader = try await signIn(setup.read, client)
            let readerPost = form(reader.cookie, "csrf=\(reader.csrf)&ein=54-1230284&tier=current_tier")
            #expect(try await client.execute(uri: "/analyze", method: .post, headers: readerPost.0, body: readerPost.1).status == .forbidden)

            // A write key without the token, or with another session's token, is refused.
            let writer = try await signIn(setup.write, client)
            for body in ["ein=54-1230284&tier=current_tier", "csrf=\(reader.csrf)&ein=54-1230284&tier=current_tier"] {
                let post = form(writer.cookie, body)
                let refused = try await client.execute(uri: "/analyze", method: .post, headers: post.0, body: post.1)
                #expect(refused.status == .forbidden && String(buffer: refused.body).contains("CSRF"))
            }
            #expect(try await services.engine.store.runs(RunQuery()).isEmpty)

            // An EIN that is not one is answered beside the field, what was typed kept, and starts nothing.
            for (typed, message) in [("12-345", "not an EIN"), ("00-1234567", "not an EIN"), ("", "Enter the organization")] {
                let bad = form(writer.cookie, "csrf=\(writer.csrf)&ein=\(typed)&tier=current_tier")
                let refused = try await client.execute(uri: "/analyze", method: .post, headers: bad.0, body: bad.1)
                let html = String(buffer: refused.body)
                #expect(refused.status == .unprocessableContent, "\(typed)")
                #expect(html.contains("id=\"ein-error\"") && html.contains(message), "\(typed)")
                #expect(html.contains("name=\"ein\" value=\"\(typed)\""), "the form keeps \(typed)")
            }
            #expect(try await services.engine.store.runs(RunQuery()).isEmpty)

            // With the token the run starts and its page shows the timeline.
            let post = form(writer.cookie, "csrf=\(writer.csrf)&ein=541230284&tier=current_tier")
            let started = try await client.execute(uri: "/analyze", method: .post, headers: post.0, body: post.1)
            let location = try #require(started.headers[.location])
            #expect(started.status == .seeOther && location.hasPrefix("/runs/run_"))
            var page2 = ""
            for _ in 0..<100 {
                page2 = String(buffer: try await client.execute(uri: location, method: .get, headers: [.cookie: writer.cookie]).body)
                if page2.contains("id=\"run-status\">completed") { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(page2.contains("id=\"run-status\">completed") && page2.contains("id=\"step-say\"") && page2.contains("analysis of 54-1230284"))
            // The runs page names the organization (here by its EIN: the stand-in has no profile step), the tier and the run's distinct end.
            let runs = String(buffer: try await client.execute(uri: "/runs?status=completed", method: .get, headers: [.cookie: writer.cookie]).body)
            let runID = String(location.dropFirst("/runs/".count))
            #expect(runs.contains("EIN 54-1230284") && runs.contains("<td>Current</td>") && runs.contains("…" + runID.suffix(8)))

            // Revoking the key ends its sessions; signing out ends one.
            let readerKey = try #require(try setup.services.keys.verify(setup.read))
            try setup.services.keys.revoke(id: readerKey.id)
            #expect(try await client.execute(uri: "/runs", method: .get, headers: [.cookie: reader.cookie]).status == .seeOther)
            let signOut = form(writer.cookie, "csrf=\(writer.csrf)")
            #expect(try await client.execute(uri: "/signout", method: .post, headers: signOut.0, body: signOut.1).headers[.location] == "/signin")
            #expect(try await client.execute(uri: "/runs", method: .get, headers: [.cookie: writer.cookie]).headers[.location] == "/signin")
        }
    }

    /// Sign-in tokens are the server's own (an attacker's cookie and form pair is refused), and over
    /// HTTPS the cookies are Secure with the `__Host-` prefix.
    @Test func signInTokensAreTheServersAndHTTPSCookiesAreSecure() async throws {
        let setup = try api.setup()
        try await Application(router: try CatalynxServer.router(setup.services)).test(.router) { client in
            let chosen = try await client.execute(uri: "/signin", method: .post,
                                                  headers: [.cookie: "\(Dashboard.signinCookie)=abc", .contentType: "application/x-www-form-urlencoded"],
                                                  body: ByteBuffer(string: "csrf=abc&key=\(setup.write)"))
            #expect(chosen.status == .forbidden && chosen.headers[.setCookie] == nil)
            let https: HTTPFields = [.init("X-Forwarded-Proto")!: "https"]
            let page = try await client.execute(uri: "/signin", method: .get, headers: https)
            let cookie = try #require(page.headers[.setCookie])
            #expect(cookie.hasPrefix("__Host-\(Dashboard.signinCookie)=") && cookie.contains("; Secure") && cookie.contains("Path=/"))
            let token = try #require(Self.hidden("csrf", in: String(buffer: page.body)))
            var headers = https
            headers[.cookie] = "__Host-\(Dashboard.signinCookie)=\(token)"
            headers[.contentType] = "application/x-www-form-urlencoded"
            let signedIn = try await client.execute(uri: "/signin", method: .post, headers: headers, body: ByteBuffer(string: "csrf=\(token)&key=\(setup.write)"))
            #expect(signedIn.status == .seeOther)
            let session = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("__Host-\(Dashboard.sessionCookie)=") })
            #expect(session.contains("; Secure") && session.contains("HttpOnly") && session.contains("SameSite=Strict"))
        }
    }

    /// A live run's page loads the one script and follows the run's events (Server-Sent Events,
    /// session required) until the run stops; a stopped run's page has neither.
    @Test func aLiveRunsPageFollowsItsEventsUntilTheRunStops() async throws {
        let setup = try api.setup()
        var services = setup.services
        services.drivesRuns = false  // the run stays pending until the test drives it
        try await Application(router: try CatalynxServer.router(services)).test(.router) { [services] client in
            let id = try await services.startRun("hello", inputs: [:]).id
            let reader = try await signIn(setup.read, client)
            let live = try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: reader.cookie])
            let page = String(buffer: live.body)
            #expect(page.contains("<main data-live=\"/runs/\(id)/live?after=1\">") && page.contains("<script src=\"/assets/live.js\" defer></script>")
                    && page.contains("<noscript><meta http-equiv=\"refresh\""))
            #expect(live.headers[.contentSecurityPolicy]?.contains("script-src 'self'; connect-src 'self'") == true)
            let anonymous = try await client.execute(uri: "/runs/\(id)/live?after=1", method: .get)
            #expect(anonymous.status == .seeOther && anonymous.headers[.location] == "/signin")

            let driving = Task { try await services.engine.drive(runID: id) }
            let stream = try await client.execute(uri: "/runs/\(id)/live?after=1", method: .get, headers: [.cookie: reader.cookie])
            let final = try await driving.value
            #expect(final.status == .completed)
            #expect(stream.headers[.contentType] == "text/event-stream")
            #expect(String(buffer: stream.body).hasSuffix("data: \(final.version)\n\n"), "the stream ends with the run's last event")
            let stopped = String(buffer: try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: reader.cookie]).body)
            #expect(stopped.contains("id=\"run-status\">completed") && !stopped.contains("data-live") && !stopped.contains("live.js"))

            let script = try await client.execute(uri: "/assets/live.js", method: .get)
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(String(buffer: script.body).contains("new EventSource(main.dataset.live)"))
        }
    }

    @Test func anApprovalIsAnsweredFromTheInbox() async throws {
        let setup = try api.setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await setup.services.startRun("gated", inputs: [:]).id
            let writer = try await signIn(setup.write, client)
            var inbox = ""
            for _ in 0..<100 {
                inbox = String(buffer: try await client.execute(uri: "/approvals", method: .get, headers: [.cookie: writer.cookie]).body)
                if inbox.contains("action=\"/approvals/\(id)\"") { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(inbox.contains("action=\"/approvals/\(id)\""))
            let missing = form(writer.cookie, "decision=approve&step=send")
            #expect(try await client.execute(uri: "/approvals/\(id)", method: .post, headers: missing.0, body: missing.1).status == .forbidden)
            #expect(try await setup.services.engine.store.state(of: id).status == .waiting)
            let answer = form(writer.cookie, "csrf=\(writer.csrf)&decision=approve&step=send&comment=fine")
            let answered = try await client.execute(uri: "/approvals/\(id)", method: .post, headers: answer.0, body: answer.1)
            #expect(answered.status == .seeOther && answered.headers[.location] == "/runs/\(id)")
            let final = try await api.waitFor("completed", run: id, client, token: setup.write)
            #expect(final?["steps"]?["send"]?["output"]?["value"] == "sent")
        }
    }

    @Test func aRunIsForkedFromATimelineStepWithAnInputChanged() async throws {
        let setup = try api.setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await setup.services.startRun("hello", inputs: [:]).id
            _ = try await api.waitFor("completed", run: id, client, token: setup.read)
            let reader = try await signIn(setup.read, client)
            let readersPage = String(buffer: try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: reader.cookie]).body)
            #expect(!readersPage.contains("Fork from here") && !readersPage.contains("id=\"fork-form\""), "a read key cannot fork")

            let writer = try await signIn(setup.write, client)
            let page = String(buffer: try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(page.contains("form=\"fork-form\" name=\"step\" value=\"say\""))
            #expect(page.contains("name=\"input.greeting\" value=\"hi\""))
            let refused = form(writer.cookie, "step=say&input.greeting=Bonjour")
            #expect(try await client.execute(uri: "/runs/\(id)/fork", method: .post, headers: refused.0, body: refused.1).status == .forbidden)

            let post = form(writer.cookie, "csrf=\(writer.csrf)&step=say&input.greeting=Bonjour")
            let forked = try await client.execute(uri: "/runs/\(id)/fork", method: .post, headers: post.0, body: post.1)
            #expect(forked.status == .seeOther)
            let forkID = try #require(forked.headers[.location]?.split(separator: "/").last.map(String.init))
            #expect(forkID != id)
            let done = try await api.waitFor("completed", run: forkID, client, token: setup.read)
            #expect(done?["steps"]?["say"]?["output"]?["value"] == "Bonjour, world")
            let forkPage = String(buffer: try await client.execute(uri: "/runs/\(forkID)", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(forkPage.contains("id=\"forked-from\"><a href=\"/runs/\(id)\">") && forkPage.contains("at step <code>say</code>"))
        }
    }

    @Test func anAgentsCallIsEditedAndApprovedFromTheInboxAndItsTurnsAreShown() async throws {
        let model = ScriptedAgentModel([.call("echo", ["value": "draft"]), .call("done", ["answer": "sent"])])
        let setup = try api.setup(agentModel: model)
        let app = Application(router: try CatalynxServer.router(setup.services))
        try await app.test(.router) { client in
            let id = try await setup.services.startRun("agent", inputs: [:]).id
            _ = try await api.waitFor("waiting", run: id, client, token: setup.read)
            let writer = try await signIn(setup.write, client)
            let inbox = String(buffer: try await client.execute(uri: "/approvals", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(inbox.contains("The call the agent proposes: echo") && inbox.contains("name=\"input.value\" value=\"draft\""), "\(inbox)")
            let post = form(writer.cookie, "csrf=\(writer.csrf)&step=write&decision=approve&input.value=final")
            #expect(try await client.execute(uri: "/approvals/\(id)", method: .post, headers: post.0, body: post.1).status == .seeOther)
            let done = try await api.waitFor("completed", run: id, client, token: setup.read)
            #expect(done?["steps"]?["write"]?["output"]?["answer"] == "sent")
            let page = String(buffer: try await client.execute(uri: "/runs/\(id)", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(page.contains("<summary>Agent turns (2)</summary>"))
            #expect(page.contains("<code>← {&quot;value&quot;:&quot;final&quot;}</code>"), "\(page)")
        }
    }

    @Test func schedulesAreListedWithTheirNextTickAndPausedFromTheDashboard() async throws {
        let setup = try api.setup()
        let app = Application(router: try CatalynxServer.router(setup.services))
        _ = try await setup.services.app.addSchedule(name: "monday_hello", cron: "0 6 * * 1", workflow: "hello", inputs: ["greeting": "Hi"],
                                                     timeZone: "America/New_York", catchUp: .latest, replacing: false)
        try await app.test(.router) { client in
            let reader = try await signIn(setup.read, client)
            let page = String(buffer: try await client.execute(uri: "/schedules", method: .get, headers: [.cookie: reader.cookie]).body)
            #expect(page.contains("<tr id=\"schedule-monday_hello\">") && page.contains("<code>0 6 * * 1</code>") && page.contains("America/New_York"))
            #expect(page.contains("greeting = Hi") && page.contains("latest") && page.contains("added by hand"))
            #expect(page.range(of: #"\d{4}-\d{2}-\d{2} 06:00 E[SD]T"#, options: .regularExpression) != nil, "the next tick on New York's clock")
            #expect(!page.contains("action=\"/schedules/monday_hello/pause\""), "a read key cannot pause")

            let writer = try await signIn(setup.write, client)
            let writersPage = String(buffer: try await client.execute(uri: "/schedules", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(writersPage.contains("action=\"/schedules/monday_hello/pause\""))
            let noToken = form(writer.cookie, "")
            #expect(try await client.execute(uri: "/schedules/monday_hello/pause", method: .post, headers: noToken.0, body: noToken.1).status == .forbidden)
            let pause = form(writer.cookie, "csrf=\(writer.csrf)")
            let paused = try await client.execute(uri: "/schedules/monday_hello/pause", method: .post, headers: pause.0, body: pause.1)
            #expect(paused.status == .seeOther)
            #expect(try await setup.services.app.scheduleStore().schedule(named: "monday_hello")?.paused == true)
            let after = String(buffer: try await client.execute(uri: "/schedules", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(after.contains("action=\"/schedules/monday_hello/resume\"") && after.contains("s-paused"))
            #expect(try await client.execute(uri: "/schedules/nothing/pause", method: .post, headers: pause.0, body: pause.1).status == .notFound)

            // A backfilled tick's run says on its page which schedule started it, and for which tick.
            _ = try await setup.services.app.addSchedule(name: "new_year", cron: "0 0 1 1 *", workflow: "hello", inputs: [:], timeZone: nil,
                                                         catchUp: .latest, since: Date(timeIntervalSince1970: 1_735_000_000), replacing: false)
            let fired = try await setup.services.app.scheduleTicker(engine: setup.services.engine).fire()
            let runID = try #require(fired.first { $0.schedule == "new_year" }?.runID)
            let runPage = String(buffer: try await client.execute(uri: "/runs/\(runID)", method: .get, headers: [.cookie: writer.cookie]).body)
            #expect(runPage.contains("id=\"scheduled-by\">by <a href=\"/schedules#schedule-new_year\">new_year</a>, for its tick at 2026-01-01 00:00:00 UTC"))
        }
    }
}
