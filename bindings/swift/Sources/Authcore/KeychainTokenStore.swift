// Hand-written (not generated): the Apple TokenStore. Not compiled on the Linux machines that
// generate the bindings; see README.md.

import Foundation
import Security

/// A `TokenStore` over the Keychain: one generic-password item per key, under one service name,
/// readable after the first unlock and never migrated to another device
/// (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`), so background refreshes work and a
/// backup restored elsewhere carries no session.
///
/// Failures throw `AuthcoreError.Store` with code `keychain_locked` (the device has not been
/// unlocked since boot), `keychain_invalid_data` (an item that is not UTF-8 text) or
/// `keychain_error` (any other `OSStatus`, named in the detail).
public final class KeychainTokenStore: TokenStore {
    /// The `kSecAttrService` of every item this store writes.
    public let service: String
    /// The `kSecAttrAccessGroup` to share items with app extensions, or nil for the app's own.
    public let accessGroup: String?

    /// A store for `service` (for example your bundle identifier plus `.auth`).
    public init(service: String, accessGroup: String? = nil) {
        self.service = service
        self.accessGroup = accessGroup
    }

    public func get(key: String) throws -> String? {
        var query = itemQuery(key)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        switch status {
        case errSecSuccess:
            guard let data = item as? Data, let text = String(data: data, encoding: .utf8) else {
                throw AuthcoreError.Store(
                    code: "keychain_invalid_data", detail: "Keychain item \(key) is not UTF-8 text")
            }
            return text
        case errSecItemNotFound:
            return nil
        default:
            throw Self.failure(status, "read \(key)")
        }
    }

    public func set(key: String, value: String) throws {
        let attributes: [String: Any] = [
            kSecValueData as String: Data(value.utf8),
            kSecAttrAccessible as String: kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly,
        ]
        var status = SecItemUpdate(itemQuery(key) as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            let item = itemQuery(key).merging(attributes) { _, new in new }
            status = SecItemAdd(item as CFDictionary, nil)
        }
        guard status == errSecSuccess else { throw Self.failure(status, "write \(key)") }
    }

    public func remove(key: String) throws {
        let status = SecItemDelete(itemQuery(key) as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else {
            throw Self.failure(status, "delete \(key)")
        }
    }

    /// The attributes that identify the item for `key`.
    private func itemQuery(_ key: String) -> [String: Any] {
        var query: [String: Any] = [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: key,
            // On macOS, use the iOS-style keychain (no legacy file keychain, no access prompts).
            kSecUseDataProtectionKeychain as String: true,
        ]
        if let accessGroup {
            query[kSecAttrAccessGroup as String] = accessGroup
        }
        return query
    }

    private static func failure(_ status: OSStatus, _ operation: String) -> AuthcoreError {
        let message = SecCopyErrorMessageString(status, nil) as String? ?? "OSStatus \(status)"
        let code = status == errSecInteractionNotAllowed ? "keychain_locked" : "keychain_error"
        return AuthcoreError.Store(
            code: code, detail: "Keychain could not \(operation): \(message) (\(status))")
    }
}
