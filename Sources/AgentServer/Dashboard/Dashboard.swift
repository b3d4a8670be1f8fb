import AgentCore
import CatalynxApp
import Crypto
import Foundation
import GrantResearch
import Hummingbird
import Nonprofit

/// The web dashboard: server-rendered pages for people. A browser signs in with an API key and
/// then carries an HttpOnly, SameSite=Strict session cookie; every form carries the session's
/// CSRF token; reads need a read key, forms a write key, as on the API.
struct Dashboard: Sendable {
    let services: ServerServices
    let pages: Pages
    /// Signs the sign-in form's token, so that only a token this server issued is accepted (a cookie
    /// and form pair chosen by someone else is refused). New with each server start.
    let signinKey = Array(APIKeyStore.randomHex(32).utf8)

    static let sessionCookie = "catalynx_session"
    static let signinCookie = "catalynx_signin"
    static let sessionLifetime = 12 * 3600

    func register(on router: Router<BasicRequestContext>) {
        let group = router.group().add(middleware: DashboardErrors(pages: pages))
        group.get("/") { _, _ in Pages.redirect("/runs") }
        group.get("signin") { request, _ in signInPage(request, error: nil) }
        group.post("signin") { request, _ in try await signIn(request) }
        group.post("signout") { request, _ in try await signOut(request) }
        group.get("runs") { request, _ in try await runs(request) }
        group.get("runs/:id") { request, context in try await run(request, context) }
        group.get("runs/:id/report") { request, context in try await report(request, context) }
        group.post("runs/:id/fork") { request, context in try await fork(request, context) }
        group.get("runs/:id/live") { request, context in try await live(request, context) }
        group.get("assets/live.js") { _, _ in
            var headers = Pages.securityHeaders
            headers[.contentType] = "text/javascript; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: pages.liveScript)))
        }
        group.get("analyze") { request, _ in
            let signedIn = try await require(request, .write)
            let query = Form(request.uri.query ?? "")
            return pages.render("analyze", try await page(signedIn, title: "Start an analysis").merging(analyzeView(ein: query["ein"], tier: nil)) { $1 })
        }
        group.post("analyze") { request, _ in try await analyze(request) }
        group.get("approvals") { request, _ in try await approvals(request) }
        group.post("approvals/:id") { request, context in try await answer(request, context) }
        group.get("schedules") { request, _ in try await schedules(request) }
        group.post("schedules/:name/pause") { request, context in try await setSchedule(request, context, paused: true) }
        group.post("schedules/:name/resume") { request, context in try await setSchedule(request, context, paused: false) }
        group.get("organizations") { request, _ in try await organizations(request) }
        group.get("organizations/:ein") { request, context in try await organization(request, context) }
        group.get("funders/:ein") { request, context in try await funder(request, context) }
    }

    // MARK: Signing in

    func signInPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let nonce = APIKeyStore.randomHex(16)
        let token = nonce + "." + signature(of: nonce)
        var view: [String: Any] = ["title": "Sign in", "signinCSRF": token]
        if let error { view["error"] = error }
        let cookies = Cookies(request, alwaysSecure: services.secureCookies)
        return pages.render("signin", view, status: status, headers: [.setCookie: cookies.set(Self.signinCookie, token, maxAge: 1800)])
    }

    /// The HMAC of a sign-in nonce under this server's key.
    func signature(of nonce: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(nonce.utf8), using: SymmetricKey(data: signinKey)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether a sign-in token is one this server issued.
    func isIssued(_ token: String) -> Bool {
        let parts = token.split(separator: ".", maxSplits: 1).map(String.init)
        return parts.count == 2 && APIKeyStore.constantTimeEqual(parts[1], signature(of: parts[0]))
    }

    /// Checks the key and the sign-in form's double-submit token (issued by this server), then opens a session.
    func signIn(_ request: Request) async throws -> Response {
        let form = try await Form.read(request)
        let cookies = Cookies(request, alwaysSecure: services.secureCookies)
        guard let sent = form["csrf"], let expected = cookies.value(Self.signinCookie, in: request), APIKeyStore.constantTimeEqual(sent, expected),
              isIssued(sent) else {
            throw Problem(.forbidden, "Missing or wrong CSRF token", "reload the sign-in page and try again")
        }
        guard let token = form["key"], let key = try services.keys.verify(token) else {
            return signInPage(request, error: "That key is unknown or revoked.", status: .unauthorized)
        }
        let (sessionToken, _) = try services.keys.openSession(for: key, lifetime: TimeInterval(Self.sessionLifetime))
        var headers = HTTPFields()
        headers.append(.init(name: .setCookie, value: cookies.set(Self.sessionCookie, sessionToken, maxAge: Self.sessionLifetime)))
        headers.append(.init(name: .setCookie, value: cookies.set(Self.signinCookie, "", maxAge: 0)))
        return Pages.redirect("/runs", headers: headers)
    }

    func signOut(_ request: Request) async throws -> Response {
        _ = try await requireForm(request, .read)
        let cookies = Cookies(request, alwaysSecure: services.secureCookies)
        if let token = cookies.value(Self.sessionCookie, in: request) { try services.keys.closeSession(token) }
        return Pages.redirect("/signin", headers: [.setCookie: cookies.set(Self.sessionCookie, "", maxAge: 0)])
    }

    /// The signed-in session, with at least `scope`; otherwise off to the sign-in page (or 403).
    func require(_ request: Request, _ scope: APIKeyStore.Scope) async throws -> APIKeyStore.Session {
        let cookies = Cookies(request, alwaysSecure: services.secureCookies)
        guard let token = cookies.value(Self.sessionCookie, in: request), let session = try services.keys.session(token) else { throw SignInRequired() }
        guard session.key.scope >= scope else {
            throw Problem(.forbidden, "Insufficient scope", "you signed in with key '\(session.key.name)' (scope \(session.key.scope.rawValue)); this needs \(scope.rawValue)")
        }
        return session
    }

    /// A form post from a signed-in session with enough scope and the session's CSRF token.
    func requireForm(_ request: Request, _ scope: APIKeyStore.Scope) async throws -> (APIKeyStore.Session, Form) {
        let session = try await require(request, scope)
        let form = try await Form.read(request)
        guard let sent = form["csrf"], APIKeyStore.constantTimeEqual(sent, session.csrf) else {
            throw Problem(.forbidden, "Missing or wrong CSRF token", "the form did not carry this session's token; reload the page and try again")
        }
        return (session, form)
    }

    /// What every signed-in page's header shows.
    /// - Parameter openRequests: the open requests to people, when the page has them already.
    func page(_ session: APIKeyStore.Session, title: String, openRequests: [OpenHumanRequest]? = nil) async throws -> [String: Any] {
        let requests: [OpenHumanRequest]
        if let openRequests { requests = openRequests } else { requests = try await services.engine.store.openHumanRequests() }
        let open = requests.count
        return ["title": title, "signedIn": true, "csrf": session.csrf, "keyName": session.key.name, "scope": session.key.scope.rawValue,
                "openApprovals": open > 0 ? "\(open)" : false]
    }

    // MARK: Runs

    func runs(_ request: Request) async throws -> Response {
        let session = try await require(request, .read)
        let query = request.uri.queryParameters
        var filter = RunQuery(limit: 200)
        let status = query["status"].map(String.init).flatMap(RunStatus.init(rawValue:))
        let workflow = query["workflow"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        filter.status = status
        filter.workflow = workflow
        let summaries = try await services.engine.store.runs(filter)
        let drivers = try await services.engine.store.drivers(of: summaries.map(\.id))
        let subjects = try await services.app.subjects(of: summaries)
        var view = try await page(session, title: "Runs")
        view["runs"] = summaries.map { summary -> [String: Any] in
            let subject = subjects[summary.id]
            var row: [String: Any] = [
                "id": summary.id, "shortID": DashboardFormat.runID(summary.id), "title": subject?.title ?? summary.workflow,
                "ein": subject?.ein ?? "", "tier": subject?.tier?.label ?? summary.workflow, "status": summary.status.rawValue,
                "created": DashboardFormat.time(summary.createdAt), "driver": drivers?[summary.id] ?? "",
            ]
            if let duration = subject?.duration { row["duration"] = DashboardFormat.duration(duration) }
            return row
        }
        view["shared"] = drivers != nil
        view["filtered"] = status != nil || workflow != nil
        view["statuses"] = RunStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == status] }
        let names = Set(services.workflows.names + (workflow.map { [$0] } ?? []))
        view["workflows"] = names.sorted().map { name -> [String: Any] in
            ["value": name, "label": AnalysisTier(workflow: name).map { "\($0.label) analysis" } ?? name, "selected": name == workflow]
        }
        return pages.render("runs", view)
    }

    func runState(_ context: some RequestContext) async throws -> RunState {
        try await services.engine.store.state(of: try await services.resolveRun(context))
    }

    func run(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let session = try await require(request, .read)
        let state = try await runState(context)
        let definition = try? services.engine.definition(of: state)
        let subject = services.app.subject(of: state)
        let runView = RunView(state: state, definition: definition, canFork: session.key.scope >= .write && definition != nil)
        var view = try await page(session, title: subject.title).merging(runView.view) { $1 }
        if let tier = subject.tier {
            view["heading"] = subject.title
            view["subheading"] = "\(tier.label) analysis" + (subject.ein.map { " · EIN \($0)" } ?? "")
        }
        // Only runs whose workflow writes a report (an analysis) link to one; a waiting run's is a draft.
        view["hasReport"] = (state.status == .completed || state.status == .waiting) && services.hasReport(state)
        view["draft"] = state.status == .waiting
        // An analysis's funders, each linked to its giving.
        if let definition, let funders = services.app.analysis(of: state, definition: definition)?.outcome.funders {
            view["funders"] = funders.funders.prefix(10).map { funder -> [String: Any] in
                ["name": funder.name, "ein": funder.ein, "score": String(format: "%.2f", funder.score), "past": funder.isPastFunder,
                 "note": funder.hasGivingHistory ? funder.profileSummary : "no giving history on record"]
            }
            view["hasFunders"] = !funders.funders.isEmpty
            view["fundersHeading"] = funders.ownGiving == nil ? "Likely funders" : "Its own giving"
            view["fundersSummary"] = funders.ownGiving.map { ReportViewText.sentence($0.summary) } ?? ReportWording.funderSummary(funders)
            view["ownGivingLink"] = funders.ownGiving.map { "/funders/" + $0.ein.filter(\.isNumber) }   // absent when none
            view["fundersNotes"] = ([funders.eligibility].compactMap { $0 } + funders.notes).map(ReportViewText.sentence)
        }
        return pages.render("run", view)
    }

    /// The fork form: a new run from the history up to the chosen step, with the inputs the form changed.
    func fork(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let (_, form) = try await requireForm(request, .write)
        let id = try await services.resolveRun(context)
        guard let step = form["step"], !step.isEmpty else { throw Problem(.badRequest, "Missing step", "choose the step to fork from") }
        let state = try await services.engine.store.state(of: id)
        var changed: [String: Value] = [:]
        // Only what the person changed: an input left as shown keeps its value (and its type).
        for (name, typed) in form.fields(prefixed: "input.") where typed != state.inputs[name]?.displayString ?? "" {
            changed[name] = .string(typed)
        }
        return Pages.redirect("/runs/\(try await services.fork(runID: id, from: step, inputs: changed))")
    }

    /// `GET /runs/{id}/live?after=N`: a Server-Sent Event (its data the last sequence number) each
    /// time the run records events after N, for as long as the run is live; the page's script then
    /// fetches the page again.
    func live(_ request: Request, _ context: some RequestContext) async throws -> Response {
        _ = try await require(request, .read)
        let id = try await services.resolveRun(context)
        let after = request.uri.queryParameters["after"].flatMap { Int(String($0)) } ?? 0
        let body = ResponseBody { [services] writer in
            try await services.followEvents(of: id, after: after, until: { !$0.isRunnable }) { events in
                try await writer.write(ByteBuffer(string: "data: \(events.last?.sequence ?? after)\n\n"))
            }
            try await writer.finish(nil)
        }
        var headers = Pages.securityHeaders
        headers[.contentType] = "text/event-stream"
        return Response(status: .ok, headers: headers, body: body)
    }

    func report(_ request: Request, _ context: some RequestContext) async throws -> Response {
        _ = try await require(request, .read)
        let rendered = try services.renderReport(try await runState(context), format: .html, funderPages: "/funders/")
        var headers = Pages.securityHeaders
        headers[.contentType] = rendered.contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: rendered.body)))
    }

    // MARK: Starting an analysis

    func analyzeView(ein: String?, tier: String?) -> [String: Any] {
        let chosen = tier ?? services.tiers.first { $0 == .standard }?.workflowFile ?? services.tiers.first?.workflowFile
        return ["ein": ein ?? "", "tiers": services.tiers.map { tier -> [String: Any] in
            ["value": tier.workflowFile, "label": "\(tier.label): \(tier.summary)", "selected": tier.workflowFile == chosen]
        }]
    }

    /// Starts the analysis the form asks for; an EIN that is not one is answered beside the field, with what was typed kept, and starts nothing.
    func analyze(_ request: Request) async throws -> Response {
        let (session, form) = try await requireForm(request, .write)
        let typed = form["ein"] ?? ""
        let tierName = form["tier"] ?? ""
        guard let tier = services.tiers.first(where: { $0.workflowFile == tierName }) else {
            throw Problem(.badRequest, "Unknown tier", "choose one of the tiers offered")
        }
        func refuse(_ message: String) async throws -> Response {
            var view = try await page(session, title: "Start an analysis").merging(analyzeView(ein: typed, tier: tierName)) { $1 }
            view["einError"] = message
            return pages.render("analyze", view, status: .unprocessableContent)
        }
        let ein: EIN
        do {
            ein = try EIN(typed)
        } catch {
            return try await refuse(typed.isEmpty ? "Enter the organization's EIN, nine digits such as 54-1230284." : "This is not an EIN: \(error.description).")
        }
        do {
            let (id, _) = try await services.startRun(tier.workflowFile, inputs: [AnalysisTier.einInput: .string(ein.formatted)])
            return Pages.redirect("/runs/\(id)")
        } catch let problem as Problem where problem.status == .unprocessableContent {
            return try await refuse(problem.detail)
        }
    }

    // MARK: Approvals

    func approvals(_ request: Request) async throws -> Response {
        let session = try await require(request, .read)
        let requests = try await services.engine.store.openHumanRequests()
        let approvals = try await services.app.approvals()
        var view = try await page(session, title: "Approvals", openRequests: requests)
        view["requests"] = approvals.map { approval -> [String: Any] in
            var item: [String: Any] = [
                "runID": approval.runID, "step": approval.step, "csrf": session.csrf, "title": approval.title, "question": approval.question,
                "requestedAt": DashboardFormat.time(approval.requestedAt), "findings": approval.findings, "hasFindings": !approval.findings.isEmpty,
                "canAnswer": session.key.scope >= .write, "hasDraftReport": approval.hasDraftReport, "fallback": approval.fallbackText,
            ]
            if let deadline = approval.deadline { item["deadline"] = DashboardFormat.time(deadline) }
            if let urgency = approval.urgency, urgency != "normal" { item["urgency"] = urgency }
            if let risk = approval.riskLevel { item["riskLevel"] = risk }
            if !approval.reviewers.isEmpty { item["reviewers"] = ListText.joined(approval.reviewers) }
            if let tool = approval.request["tool"]?.stringValue, case .object(let inputs)? = approval.request["inputs"] {
                item["call"] = ["tool": tool, "inputs": inputs.keys.sorted().map { ["name": $0, "value": inputs[$0]?.displayString ?? ""] }] as [String: Any]
            }
            return item
        }
        return pages.render("approvals", view)
    }

    func answer(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let (session, form) = try await requireForm(request, .write)
        guard let decision = form["decision"].flatMap(ReviewAnswer.Decision.init(rawValue:)) else {
            throw Problem(.badRequest, "Missing decision", "choose Approve or Reject, then send the answer")
        }
        let id = try await services.resolveRun(context)
        let corrections = (form["corrections"] ?? "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // The inputs of an agent's call, as the person left them: only changed fields are edits.
        var edits: [String: Value] = [:]
        let typed = form.fields(prefixed: "input.")
        if !typed.isEmpty, let open = try await services.app.approvals(ofRun: id).first(where: { $0.step == form["step"] }),
           case .object(let proposed)? = open.request["inputs"] {
            let changed = typed.filter { $0.value != proposed[$0.key]?.displayString ?? "" }
            edits = ReviewAnswer.editing(proposed, with: changed).filter { changed[$0.key] != nil }
        }
        _ = try await services.answer(runID: id, step: form["step"],
                                      ReviewAnswer(decision: decision, reviewer: session.key.name, comment: form["comment"], corrections: corrections),
                                      edits: edits)
        return Pages.redirect("/runs/\(id)")
    }

    // MARK: Schedules

    func schedules(_ request: Request) async throws -> Response {
        let session = try await require(request, .read)
        var view = try await page(session, title: "Schedules")
        view["canControl"] = session.key.scope >= .write
        view["schedules"] = try await services.app.schedules().map { schedule -> [String: Any] in
            let spec = schedule.spec
            var row: [String: Any] = [
                "name": schedule.name, "workflow": spec.workflow, "cron": spec.cron.description, "zone": spec.zoneName,
                "inputs": spec.inputs.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.displayString)" },
                "next": ScheduleText.next(schedule), "catchUp": spec.catchUp.rawValue, "paused": schedule.paused,
                "from": schedule.declaredIn.map { ($0 as NSString).lastPathComponent } ?? "added by hand",
                "action": schedule.paused ? "resume" : "pause", "actionLabel": schedule.paused ? "Resume" : "Pause",
            ]
            if let run = schedule.lastRunID { (row["lastRun"], row["lastRunShort"]) = (run, DashboardFormat.runID(run)) }
            return row
        }
        return pages.render("schedules", view)
    }

    func setSchedule(_ request: Request, _ context: some RequestContext, paused: Bool) async throws -> Response {
        _ = try await requireForm(request, .write)
        let name = context.parameters.get("name") ?? ""
        do {
            _ = try await services.app.setSchedule(name, paused: paused)
        } catch let error as ApplicationError {
            throw Problem(.notFound, "No such schedule", error.message)
        }
        return Pages.redirect("/schedules#schedule-\(name)")
    }

    // MARK: Organizations

    func organizations(_ request: Request) async throws -> Response {
        let session = try await require(request, .read)
        let query = Form(request.uri.query ?? "")  // decoded as the form sent it ("food+bank" is "food bank")
        let words = query["q"] ?? ""
        let state = query["state"] ?? ""
        var view = try await page(session, title: "Organizations")
        view["query"] = words
        view["state"] = state
        if !words.isEmpty {
            view["searched"] = true
            let found = try await services.app.searchOrganizations(OrganizationSearch(text: words, state: state.isEmpty ? nil : state, limit: 50))
            view["results"] = found.map(OrganizationView.summary)
        }
        return pages.render("organizations", view)
    }

    func organization(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let session = try await require(request, .read)
        let overview = try await services.app.organization(context.parameters.get("ein") ?? "")
        var view = try await page(session, title: overview.profile.name).merging(OrganizationView.page(overview)) { $1 }
        if session.key.scope >= .write, let tier = services.tiers.first(where: { $0 == .standard }) ?? services.tiers.first {
            view["canAnalyze"] = true
            view["analyzeTier"] = tier.workflowFile
            view["analyzeLabel"] = tier.rawValue
        }
        return pages.render("organization", view)
    }
}

extension Dashboard {
    /// A grantmaker's giving, as `catalynx funders show` gives it.
    func funder(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let session = try await require(request, .read)
        let profile = try await services.app.funder(context.parameters.get("ein") ?? "")
        return pages.render("funder", try await page(session, title: profile.name).merging(FunderView.page(profile)) { $1 })
    }
}

/// Thrown by a page that needs a signed-in browser; answered with a redirect to the sign-in page.
struct SignInRequired: Error {}

/// Dashboard errors as pages: sign-in redirects, and problems shown as HTML with their status.
struct DashboardErrors<Context: RequestContext>: RouterMiddleware {
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch is SignInRequired {
            return Pages.redirect("/signin")
        } catch let problem as Problem {
            return pages.render("error", ["title": problem.title, "heading": problem.title, "detail": problem.detail], status: problem.status)
        } catch let error as ApplicationError {
            let problem = Problem(error)
            return pages.render("error", ["title": problem.title, "heading": problem.title, "detail": problem.detail], status: problem.status)
        } catch let error as HTTPError {
            return pages.render("error", ["title": error.status.reasonPhrase, "heading": error.status.reasonPhrase, "detail": error.body ?? ""], status: error.status)
        } catch {
            context.logger.error("page failed", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: error))])
            return pages.render("error", ["title": "Error", "heading": "Something went wrong", "detail": "the page could not be made; see the server log"],
                                status: .internalServerError)
        }
    }
}
