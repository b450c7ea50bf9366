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
        try ValueEncoder(snakeCase: keys == .snakeCase, codingPath: []).value(of: value)
    }

    /// Foundation's snake_case conversion ("percentMet" → "percent_met", "myURLValue" → "my_url_value"). Keys without an
    /// ASCII capital are returned as they are, which is nearly every key and costs one scan.
    public static func snakeCase(_ key: String) -> String {
        var hasCapital = false
        for b in key.utf8 where b >= 0x41 && b <= 0x5A { hasCapital = true; break }
        guard hasCapital else { return key }
        let chars = Array(key)
        guard !chars.isEmpty else { return key }
        // Foundation's algorithm: split before a capital that follows a lower-case run, and before the last capital of a run
        // of capitals that is followed by a lower-case letter.
        var words: [Range<Int>] = []
        var wordStart = 0
        var search = 1
        while let upper = (search..<chars.count).first(where: { chars[$0].isUppercase }) {
            words.append(wordStart..<upper)
            guard let lower = (upper..<chars.count).first(where: { chars[$0].isLowercase }) else {
                wordStart = upper
                search = chars.count
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
        words.append(wordStart..<chars.count)
        return words.map { String(chars[$0]).lowercased() }.joined(separator: "_")
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
    let snakeCase: Bool
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var slot: Slot?
    /// Keys of a `[String: V]` are not converted.
    var convertsKeys: Bool

    init(snakeCase: Bool, codingPath: [any CodingKey], convertsKeys: Bool = true) {
        self.snakeCase = snakeCase; self.codingPath = codingPath; self.convertsKeys = convertsKeys
    }

    func value<T: Encodable>(of value: T) throws -> BodyValue {
        if let direct = Self.direct(value) { return direct }
        if value is any StringKeyedDictionary { convertsKeys = false }
        try value.encode(to: self)
        return slot?.value ?? .object([])
    }

    /// Values written as themselves, and the Foundation types `JSONEncoder` writes specially.
    static func direct<T>(_ value: T) -> BodyValue? {
        switch value {
        case let v as String: .string(v)
        case let v as Bool: .bool(v)
        case let v as Int: .int(Int64(v))
        case let v as Int64: .int(v)
        case let v as Double: .double(v)
        case let v as URL: .string(v.absoluteString)
        case let v as Date: .double(v.timeIntervalSinceReferenceDate)
        case let v as Data: .string(v.base64EncodedString())
        default: nil
        }
    }

    func key(_ key: some CodingKey) -> String {
        snakeCase && convertsKeys ? BodyEncoder.snakeCase(key.stringValue) : key.stringValue
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: ObjectBox
        if case .object(let existing)? = slot { box = existing } else { box = ObjectBox(); slot = .object(box) }
        return KeyedEncodingContainer(KeyedContainer<Key>(encoder: self, box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: ArrayBox
        if case .array(let existing)? = slot { box = existing } else { box = ArrayBox(); slot = .array(box) }
        return UnkeyedContainer(encoder: self, box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleContainer(encoder: self, codingPath: codingPath) }

    func child(_ key: (any CodingKey)?) -> ValueEncoder {
        ValueEncoder(snakeCase: snakeCase, codingPath: key.map { codingPath + [$0] } ?? codingPath)
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
    let codingPath: [any CodingKey]

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
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder.child(key), box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        box.nested.append((box.fields.count, .array(nested)))
        put(.null, key)
        return UnkeyedContainer(encoder: encoder.child(key), box: nested, codingPath: codingPath + [key])
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
    let codingPath: [any CodingKey]
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
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(encoder: encoder.child(Index(count - 1)), box: nested, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = ArrayBox()
        box.nested.append((count, .array(nested)))
        put(.null)
        return UnkeyedContainer(encoder: encoder.child(Index(count - 1)), box: nested, codingPath: codingPath)
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
    let codingPath: [any CodingKey]

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
