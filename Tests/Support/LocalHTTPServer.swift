import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP server on 127.0.0.1 for tests: each request (path and body) goes to a closure
/// that answers with a status, headers and a body. Tests never touch the network.
public final class LocalHTTPServer: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var headers: [(String, String)] = []
        /// Seconds to wait before answering (to provoke client timeouts).
        public var delay: Double = 0
        /// Send only this many bytes of the body, then close the connection (a download cut off).
        public var cutAfter: Int?
        /// Send the headers only (the answer to a HEAD request), with the body's length.
        public var headersOnly = false

        public init(status: Int, body: Data, headers: [(String, String)] = [], delay: Double = 0, cutAfter: Int? = nil, headersOnly: Bool = false) {
            self.status = status
            self.body = body
            self.headers = headers
            self.delay = delay
            self.cutAfter = cutAfter
            self.headersOnly = headersOnly
        }
    }

    /// A request as a handler sees it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Names lowercased.
        public var headers: [String: String]
        public var body: Data
    }

    public typealias Handler = @Sendable (_ path: String, _ body: Data) -> Response
    /// A handler that also sees the request's headers (names lowercased).
    public typealias HeaderHandler = @Sendable (_ path: String, _ headers: [String: String], _ body: Data) -> Response

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    public let port: Int

    public convenience init(handler: @escaping Handler) throws {
        try self.init(headerHandler: { path, _, body in handler(path, body) })
    }

    public convenience init(headerHandler handler: @escaping HeaderHandler) throws {
        try self.init(requestHandler: { request in handler(request.path, request.headers, request.body) })
    }

    /// A server whose handler sees the whole request, its method included.
    public init(requestHandler handler: @escaping @Sendable (Request) -> Response) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(RequestHandler(handler: handler))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let handler: @Sendable (Request) -> Response
        var request = Request(method: "GET", path: "/", headers: [:], body: Data())

        init(handler: @escaping @Sendable (Request) -> Response) { self.handler = handler }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                request = Request(method: head.method.rawValue, path: head.uri,
                                  headers: Dictionary(head.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 }), body: Data())
            case .body(var buffer): request.body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            case .end:
                let response = handler(request)
                guard response.delay > 0 else { return respond(response, context: context) }
                // Answer later without blocking the event loop, so a stall never holds up shutdown.
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(response.delay * 1000))) {
                    loopBound.value.0.respond(response, context: loopBound.value.1)
                }
            }
        }

        private func respond(_ response: Response, context: ChannelHandlerContext) {
            var headers = HTTPHeaders(response.headers)
            headers.add(name: "Content-Length", value: String(response.body.count))
            headers.add(name: "Connection", value: "close")
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            if response.headersOnly {
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            } else if let cut = response.cutAfter {
                // The promised length is not sent: the client sees the connection close mid-body.
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body.prefix(cut))))))
                    .whenComplete { _ in context.close(promise: nil) }
            } else {
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
