import Crypto
import Foundation

/// `sha256=<hex>`: the HMAC-SHA256 of a body under a shared secret, as GitHub and most senders
/// sign webhooks. With `X-Catalynx-Timestamp` the signed content is `<timestamp>.<body>`, so a
/// captured request cannot be replayed later with a fresh time. Verification compares in constant time.
public enum WebhookSignature {
    public static let header = "X-Catalynx-Signature"
    public static let timestampHeader = "X-Catalynx-Timestamp"
    public static let deliveryHeader = "X-Catalynx-Delivery"
    /// How far a signed timestamp may be from the receiver's clock.
    public static let window: TimeInterval = 300

    /// The signature of `body`, or of `<timestamp>.<body>` when a timestamp is given.
    public static func sign(_ body: [UInt8], timestamp: String? = nil, secret: String) -> String {
        let content = timestamp.map { Array("\($0).".utf8) + body } ?? body
        let code = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(_ signature: String, body: [UInt8], timestamp: String? = nil, secret: String) -> Bool {
        APIKeyStore.constantTimeEqual(signature.lowercased(), sign(body, timestamp: timestamp, secret: secret))
    }
}
