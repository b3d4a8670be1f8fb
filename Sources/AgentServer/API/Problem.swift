import AgentCore
import CatalynxApp
import Foundation
import Hummingbird
import NIOCore

/// An error answered as `application/problem+json` (RFC 9457): a title and a detail a person can act on.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    public var title: String
    public var detail: String

    public init(_ status: HTTPResponse.Status, _ title: String, _ detail: String) {
        self.status = status
        self.title = title
        self.detail = detail
    }

    /// The problem a use case's error means: bad input 400, unknown 404, a paused run 409, else 500.
    public init(_ error: ApplicationError) {
        switch error.status {
        case .badInput: self.init(.badRequest, "Bad request", error.message)
        case .notFound: self.init(.notFound, "Not found", error.message)
        case .waiting: self.init(.conflict, "Not possible now", error.message)
        default: self.init(.internalServerError, "Internal error", error.message)
        }
    }

    var response: Response {
        let body: Value = ["type": "about:blank", "title": .string(title), "status": .int(status.code), "detail": .string(detail)]
        return Response(status: status, headers: [.contentType: "application/problem+json"],
                        body: .init(byteBuffer: ByteBuffer(string: body.jsonString())))
    }
}

/// JSON responses.
enum JSONResponse {
    static func make(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.jsonString())))
    }
}

/// Turns every error a handler throws into a problem response (no stack traces, no internals).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return problem.response
        } catch let error as ApplicationError {
            return Problem(error).response
        } catch let error as HTTPError {
            return Problem(error.status, error.status.reasonPhrase, error.body ?? error.status.reasonPhrase).response
        } catch let error as any HTTPResponseError {
            return Problem(error.status, error.status.reasonPhrase, error.status == .contentTooLarge
                           ? "the request body is too large" : error.status.reasonPhrase).response
        } catch let error as ChannelError {
            // The client went away (mid-body, mid-response): nothing the server did wrong.
            context.logger.info("client disconnected", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: error))])
            return Problem(.badRequest, "Connection closed", "the client closed the connection").response
        } catch {
            context.logger.error("request failed", metadata: ["path": .string(request.uri.path), "error": .string(String(describing: error))])
            return Problem(.internalServerError, "Internal error", "the request could not be completed; see the server log").response
        }
    }
}

/// Reading request bodies with a bound.
enum RequestBody {
    /// The body's bytes; a body over `limit` is answered 413 with a problem document.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw Problem(.contentTooLarge, "Body too large", "the request body may be at most \(limit.formatted()) bytes")
        }
    }
}

/// Query parameters read strictly: a value that is not what the parameter takes is a 400, not a default.
enum QueryValue {
    static func integer(_ value: Substring?, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value else { return nil }
        guard let number = Int(value), range.contains(number) else {
            throw Problem(.badRequest, "Invalid \(name)", "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func boolean(_ value: Substring?, _ name: String) throws -> Bool? {
        switch value {
        case nil: return nil
        case "true"?: return true
        case "false"?: return false
        default: throw Problem(.badRequest, "Invalid \(name)", "\(name) must be true or false")
        }
    }
}
