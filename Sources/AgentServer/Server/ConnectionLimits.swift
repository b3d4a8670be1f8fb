import NIOCore
import Synchronization

/// How many connections the server holds and how long it waits on a quiet one, so that slow or
/// silent clients cannot exhaust its file descriptors: a connection that sends nothing (no
/// request, half a header, half a body, or an idle keep-alive) is closed after `idleTimeout`;
/// connections beyond `maximumConnections` are closed as soon as they open. Responses being
/// written (event streams included) are never cut.
public struct ConnectionLimits: Sendable {
    public var idleTimeout: Duration
    public var maximumConnections: Int

    public init(idleTimeout: Duration = .seconds(30), maximumConnections: Int = 1_000) {
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }
}

/// Counts open connections and closes those over the limit as they open.
final class ConnectionLimiter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    /// The server's count, shared by the handler of every connection.
    final class Count: Sendable {
        let open = Atomic<Int>(0)
    }

    let count: Count
    let maximum: Int

    init(count: Count, maximum: Int) {
        self.count = count
        self.maximum = maximum
    }

    func channelActive(context: ChannelHandlerContext) {
        let open = count.open.wrappingAdd(1, ordering: .relaxed).newValue
        if open > maximum {
            context.close(promise: nil)
            return
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        count.open.wrappingSubtract(1, ordering: .relaxed)
        context.fireChannelInactive()
    }
}
