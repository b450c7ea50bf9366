import Foundation

/// A response body or a page's view model as plain values: what JSON bodies and page templates are written from.
/// Built from any `Encodable` by `BodyEncoder`, so the compiler's synthesised `encode(to:)` walks the type and nothing
/// reflects on it at run time (issue 29: reflection was two thirds of a page's cost).
public enum BodyValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([BodyValue])
    /// Fields in the order they were encoded (declaration order for synthesised conformances).
    case object([Field])

    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: BodyValue
        public init(_ key: String, _ value: BodyValue) { self.key = key; self.value = value }
    }

    /// The field named `key` of an object (nil for anything else, or when absent).
    public subscript(key: String) -> BodyValue? {
        guard case .object(let fields) = self else { return nil }
        for field in fields where field.key == key { return field.value }
        return nil
    }
}

/// Turns an `Encodable` into a `BodyValue`. Keys are kept as declared (templates name the Swift properties) or converted
/// to snake_case exactly as Foundation's `JSONEncoder.KeyEncodingStrategy.convertToSnakeCase` does (the API's bodies);
/// as with Foundation, the keys of a `[String: V]` dictionary are data and are never converted.
public struct BodyEncoder: Sendable {
    public enum Keys: Sendable { case asDeclared, snakeCase }
    public var keys: Keys

    public init(keys: Keys) { self.keys = keys }

    public func encode<T: Encodable>(_ value: T) throws -> BodyValue {
        try ValueEncoder(names: keys == .snakeCase ? KeyNames() : nil, parent: nil, key: nil).value(of: value)
    }

    /// Foundation's snake_case conversion ("percentMet" → "percent_met", "myURLValue" → "my_url_value"): split before a
    /// capital that follows a lower-case run, and before the last capital of a run of capitals followed by a lower-case
    /// letter. Keys are ASCII, done on bytes; anything else goes through the same steps on characters.
    public static func snakeCase(_ key: String) -> String {
        let bytes = Array(key.utf8)
        guard bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) || !bytes.allSatisfy({ $0 < 0x80 }) else { return key }
        if bytes.allSatisfy({ $0 < 0x80 }) {
            let words = split(count: bytes.count, isUpper: { bytes[$0] >= 0x41 && bytes[$0] <= 0x5A },
                              isLower: { bytes[$0] >= 0x61 && bytes[$0] <= 0x7A })
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + words.count)
            for (n, word) in words.enumerated() {
                if n > 0 { out.append(0x5F) }
                for b in bytes[word] { out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b) }
            }
            return String(decoding: out, as: UTF8.self)
        }
        let chars = Array(key)
        let words = split(count: chars.count, isUpper: { chars[$0].isUppercase }, isLower: { chars[$0].isLowercase })
        return words.map { String(chars[$0]).lowercased() }.joined(separator: "_")
    }

    private static func split(count: Int, isUpper: (Int) -> Bool, isLower: (Int) -> Bool) -> [Range<Int>] {
        guard count > 0 else { return [] }
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = (search..<count).first(where: isUpper) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<count).first(where: isLower) else {
                wordStart = upper
                break
            }
            if lower == upper + 1 {
                wordStart = upper
            } else {
                words.append(upper..<(lower - 1))
                wordStart = lower - 1
            }
            search = lower + 1
        }
        words.append(wordStart..<count)
        return words
    }
}

/// The snake_case names met in one encoding: a response repeats the same few keys on every row.
private final class KeyNames {
    var names: [String: String] = [:]
    func snakeCase(_ key: String) -> String {
        if let known = names[key] { return known }
        let name = BodyEncoder.snakeCase(key)
        names[key] = name
        return name
    }
}

/// `[String: V]` keys are data, never converted (Foundation's rule).
private protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// Storage a container writes into; a nested container is a box of its own, read when the parent finishes.
private final class ObjectBox {
    var fields: [BodyValue.Field] = []
    var nested: [(Int, Slot)] = []
    var value: BodyValue {
        var fields = fields
        for (index, slot) in nested { fields[index].value = slot.value }
        return .object(fields)
    }
}

private final class ArrayBox {
    var items: [BodyValue] = []
    var nested: [(Int, Slot)] = []
    var value: BodyValue {
        var items = items
        for (index, slot) in nested { items[index] = slot.value }
        return .array(items)
    }
}

private enum Slot {
    case value(BodyValue)
    case object(ObjectBox)
    case array(ArrayBox)
    case encoder(ValueEncoder)

    var value: BodyValue {
        switch self {
        case .value(let v): v
        case .object(let o): o.value
        case .array(let a): a.value
        case .encoder(let e): e.slot?.value ?? .object([])
        }
    }
}

private final class ValueEncoder: Encoder {
    /// Present when keys are converted to snake_case.
    let names: KeyNames?
    /// The path is worked out only when asked for (errors, rare custom encoders), not built for every value.
    let parent: ValueEncoder?
    let keyInParent: (any CodingKey)?
    var codingPath: [any CodingKey] {
        var path = parent?.codingPath ?? []
        if let keyInParent { path.append(keyInParent) }
        return path
    }
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var slot: Slot?
    /// Keys of a `[String: V]` are not converted.
    var convertsKeys: Bool

    init(names: KeyNames?, parent: ValueEncoder?, key: (any CodingKey)?) {
        self.names = names; self.parent = parent; self.keyInParent = key; self.convertsKeys = true
    }

    func value<T: Encodable>(of value: T) throws -> BodyValue {
        if let direct = Self.direct(value) { return direct }
        if value is any StringKeyedDictionary { convertsKeys = false }
        try value.encode(to: self)
        return slot?.value ?? .object([])
    }

    /// Values written as themselves, and the Foundation types `JSONEncoder` writes specially.
    /// Compares types rather than casting values: a dynamic cast per field was a tenth of a body's cost.
    static func direct<T>(_ value: T) -> BodyValue? {
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .int(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == Int64.self { return .int(unsafeBitCast(value, to: Int64.self)) }
        if T.self == URL.self { return .string((value as! URL).absoluteString) }
        if T.self == Date.self { return .double((value as! Date).timeIntervalSinceReferenceDate) }
        if T.self == Data.self { return .string((value as! Data).base64EncodedString()) }
        return nil
    }

    func key(_ key: some CodingKey) -> String {
        if let names, convertsKeys { return names.snakeCase(key.stringValue) }
        return key.stringValue
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing)? = slot { box = existing } else { box = ObjectBox(); slot = .object(box) }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, box: box))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing)? = slot { box = existing } else { box = ArrayBox(); slot = .array(box) }
        return UnkeyedContainer(encoder: self, box: box)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self) }

    func child(_ key: (any CodingKey)?) -> ValueEncoder {
        ValueEncoder(names: names, parent: self, key: key)
    }
}

private struct Index: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ i: Int) { intValue = i }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    let box: ObjectBox
    var codingPath: [any CodingKey] { encoder.codingPath }

    func put(_ value: BodyValue, _ key: Key) { box.fields.append(.init(encoder.key(key), value)) }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(.double(value), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(.double(Double(value)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(.int(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(.int(Int64(value)), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try encoder.child(key).value(of: value), key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        box.nested.append((box.fields.count, .object(nested)))
        put(.null, key)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder.child(key), box: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        box.nested.append((box.fields.count, .array(nested)))
        put(.null, key)
        return UnkeyedContainer(encoder: encoder.child(key), box: nested)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(key: "super") }
    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(key: encoder.key(key)) }

    private func superEncoder(key: String) -> any Encoder {
        let child = encoder.child(nil)
        box.nested.append((box.fields.count, .encoder(child)))
        box.fields.append(.init(key, .null))
        return child
    }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    let box: ArrayBox
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { box.items.count }

    func put(_ value: BodyValue) { box.items.append(value) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(.double(value)) }
    mutating func encode(_ value: Float) throws { put(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode<T: Encodable>(_ value: T) throws { put(try encoder.child(Index(count)).value(of: value)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = ObjectBox()
        box.nested.append((count, .object(nested)))
        put(.null)
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder.child(Index(count - 1)), box: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        box.nested.append((count, .array(nested)))
        put(.null)
        return UnkeyedContainer(encoder: encoder.child(Index(count - 1)), box: nested)
    }

    mutating func superEncoder() -> any Encoder {
        let child = encoder.child(Index(count))
        box.nested.append((count, .encoder(child)))
        put(.null)
        return child
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func put(_ value: BodyValue) { encoder.slot = .value(value) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.string(value)) }
    mutating func encode(_ value: Double) throws { put(.double(value)) }
    mutating func encode(_ value: Float) throws { put(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: Int64) throws { put(.int(value)) }
    mutating func encode(_ value: UInt) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt8) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt16) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt32) throws { put(.int(Int64(value))) }
    mutating func encode(_ value: UInt64) throws { put(.int(Int64(value))) }
    mutating func encode<T: Encodable>(_ value: T) throws { put(try encoder.child(nil).value(of: value)) }
}
