import CGMP

extension BigInt: Equatable, Comparable, Hashable {
    public static func == (a: BigInt, b: BigInt) -> Bool {
        cgmp_cmp(a.storage.pointer, b.storage.pointer) == 0
    }

    public static func < (a: BigInt, b: BigInt) -> Bool {
        cgmp_cmp(a.storage.pointer, b.storage.pointer) < 0
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}

extension BigInt: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

extension BigInt: CustomStringConvertible {
    /// The exact decimal representation.
    public var description: String {
        guard let chars = cgmp_get_str(nil, 10, storage.pointer) else { return "?" }
        defer { cgmp_free_str(chars) }
        return String(cString: chars)
    }
}
