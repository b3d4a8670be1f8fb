import Crypto
import Foundation

/// `sha256=<hex>`: the HMAC-SHA256 of a body under a shared secret, as GitHub and most senders
/// sign webhooks. Verification compares in constant time.
public enum WebhookSignature {
    public static let header = "X-Catalynx-Signature"

    public static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    public static func verify(_ signature: String, body: [UInt8], secret: String) -> Bool {
        APIKeyStore.constantTimeEqual(signature.lowercased(), sign(body, secret: secret))
    }
}
