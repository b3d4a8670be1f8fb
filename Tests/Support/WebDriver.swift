import AsyncHTTPClient
import Foundation
import NIOCore

/// A small W3C WebDriver client driving Debian's headless Chromium through chromedriver: enough
/// to click through the dashboard as a person would and keep screenshots of what it showed.
public final class WebDriver: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let driver: Process
    private let base: String
    private let session: String
    /// Where `screenshot(_:)` writes its PNG files.
    public let artifacts: URL

    /// Starts chromedriver and a headless Chromium session; screenshots go to `artifacts`.
    public init(artifacts: URL, chromium: String = "/usr/bin/chromium", chromedriver: String = "/usr/bin/chromedriver") async throws {
        for tool in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw Failure(description: "\(tool) is missing: install Debian's chromium and chromium-driver (.ci/run does)")
        }
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        self.artifacts = artifacts
        let port = Int.random(in: 41_000...49_000)
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: chromedriver)
        driver.arguments = ["--port=\(port)"]
        driver.standardOutput = FileHandle.nullDevice
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        base = "http://127.0.0.1:\(port)"
        var created: String?
        for _ in 0..<300 where created == nil {
            try await Task.sleep(for: .milliseconds(100))
            let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
                "browserName": "chrome",
                "goog:chromeOptions": ["binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000"]],
            ]]]
            let reply = try? await Self.send("POST", base + "/session", capabilities)
            created = (reply?["value"] as? [String: Any])?["sessionId"] as? String
        }
        guard let created else {
            kill(driver.processIdentifier, SIGKILL)
            throw Failure(description: "chromedriver did not start a Chromium session")
        }
        session = created
    }

    deinit { stopDriver() }

    /// Ends the browser session and chromedriver.
    public func quit() async {
        _ = try? await command("DELETE", "")
        stopDriver()
    }

    /// chromedriver ignores SIGTERM: it gets SIGKILL once its browser is closed.
    private func stopDriver() {
        guard driver.isRunning else { return }
        kill(driver.processIdentifier, SIGKILL)
        driver.waitUntilExit()
    }

    public func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": url]) }

    public func currentURL() async throws -> String { try await command("GET", "/url") as? String ?? "" }

    /// The page's URL once it satisfies `expected` (a click that submits a form may return before
    /// the browser has followed the answer), or the last URL seen after `seconds`.
    public func url(within seconds: Double = 10, where expected: (String) -> Bool) async throws -> String {
        var url = try await currentURL()
        for _ in 0..<Int(seconds * 10) where !expected(url) {
            try await Task.sleep(for: .milliseconds(100))
            url = try await currentURL()
        }
        return url
    }

    /// Runs a script in the page (WebDriver's own channel, outside the page's CSP) and returns its result.
    public func execute(_ script: String) async throws -> Any? { try await command("POST", "/execute/sync", ["script": script, "args": []]) }

    public func pageSource() async throws -> String { try await command("GET", "/source") as? String ?? "" }

    /// The id of the first element matching a CSS selector.
    public func find(_ selector: String) async throws -> String {
        guard let element = try await command("POST", "/element", ["using": "css selector", "value": selector]) as? [String: Any],
              let id = element.values.first as? String else { throw Failure(description: "no element matches \(selector)") }
        return id
    }

    public func type(_ text: String, into selector: String) async throws {
        try await onFreshElement(selector) { id in _ = try await command("POST", "/element/\(id)/value", ["text": text]) }
    }

    public func click(_ selector: String) async throws {
        try await onFreshElement(selector) { id in _ = try await command("POST", "/element/\(id)/click", [:]) }
    }

    /// Finds the element and acts on it, finding it again when the page replaced it in between.
    private func onFreshElement(_ selector: String, _ action: (String) async throws -> Void) async throws {
        for attempt in 1...3 {
            do {
                return try await action(try await find(selector))
            } catch let failure as Failure where failure.description.contains("stale element") && attempt < 3 {
                continue
            }
        }
    }

    /// The rendered text of the first element matching a CSS selector, read in one step (a page that
    /// replaces its content, as a live run's does, would make a found element stale before it is
    /// read), waiting up to 5 s for the element to appear (a form's answer may still be loading).
    public func text(_ selector: String) async throws -> String {
        let script = "const element = document.querySelector(arguments[0]); return element === null ? null : element.innerText;"
        for _ in 0..<50 {
            if let text = try await command("POST", "/execute/sync", ["script": script, "args": [selector]]) as? String {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "no element matches \(selector)")
    }

    /// Saves what the browser shows as `<name>.png` in the artifacts folder.
    @discardableResult
    public func screenshot(_ name: String) async throws -> URL {
        guard let encoded = try await command("GET", "/screenshot") as? String, let data = Data(base64Encoded: encoded) else {
            throw Failure(description: "the browser sent no screenshot")
        }
        let file = artifacts.appendingPathComponent("\(name).png")
        try data.write(to: file)
        return file
    }

    /// Prints the page as the browser would on A4 and saves it as `<name>.pdf` in the artifacts folder.
    @discardableResult
    public func printPDF(_ name: String) async throws -> URL {
        let a4: [String: Any] = ["width": 21.0, "height": 29.7]
        guard let encoded = try await command("POST", "/print", ["page": a4, "background": true]) as? String,
              let data = Data(base64Encoded: encoded) else {
            throw Failure(description: "the browser sent no PDF")
        }
        let file = artifacts.appendingPathComponent("\(name).pdf")
        try data.write(to: file)
        return file
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.send(method, "\(base)/session/\(session)\(path)", body)?["value"]
    }

    private static func send(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> [String: Any]? {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        var buffer = try await response.body.collect(upTo: 64 << 20)
        let data = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if response.status.code >= 400 {
            let value = json?["value"] as? [String: Any]
            let error = value?["error"] as? String ?? "HTTP \(response.status.code)"
            throw Failure(description: "WebDriver \(method) \(url): \(error) \(value?["message"] as? String ?? "")")
        }
        return json
    }
}
