import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// Slow and silent clients against `catalynx serve`: connections that send nothing, half a header,
/// half a body, or stay idle after a response are closed within the idle timeout; connections
/// over the cap are closed at once; the server goes on answering.
@Suite("CLI: slow clients", .serialized)
struct SlowClientTests {
    /// A TCP connection to 127.0.0.1:port, with a receive timeout.
    final class Connection {
        let socket: Int32

        init(port: Int) throws {
            socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(socket); throw CocoaError(.fileReadUnknown) }
        }

        func send(_ text: String) { _ = text.withCString { Glibc.send(socket, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }

        /// Whether the server closed the connection within `seconds` (a read returns end of file or an error).
        func closedByServer(within seconds: Int) -> Bool {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let read = recv(socket, &buffer, buffer.count, 0)
                if read == 0 { return true }
                if read < 0 { return errno == ECONNRESET }
            }
        }

        deinit { close(socket) }
    }

    @Test func silentPartialAndIdleConnectionsAreClosedAndTheCapHolds() async throws {
        let cli = AnalyzeTests.shared
        let port = Int.random(in: 40_001...50_000)
        let server = try await ServeTests().serve(cli, port: port, ["--idle-timeout", "2", "--max-connections", "12", "--open-reads"])
        defer { server.terminate(); server.waitUntilExit() }
        let clock = ContinuousClock()
        let started = clock.now
        let silent = try (0..<3).map { _ in try Connection(port: port) }
        let partialHeader = try (0..<3).map { _ in try Connection(port: port) }
        for connection in partialHeader { connection.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ") }
        let partialBody = try (0..<3).map { _ in try Connection(port: port) }
        for connection in partialBody { connection.send("POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"workflow\"") }
        let idle = try Connection(port: port)
        idle.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        // Over the cap of 12 (10 open here): the extra connections are closed at once.
        let extra = try (0..<4).map { _ in try Connection(port: port) }
        #expect(extra.filter { $0.closedByServer(within: 1) }.count >= 2, "connections over the cap stayed open")
        for connection in silent + partialHeader + partialBody + [idle] {
            #expect(connection.closedByServer(within: 8), "a quiet connection stayed open")
        }
        #expect(clock.now - started < .seconds(20))
        // The server still answers.
        #expect(try await ServeTests().request("GET", "http://127.0.0.1:\(port)/health", token: nil).status == 200)
    }
}
