extension JSON {
    /// The value of `key` in an object (nil for a missing key or a non-object).
    public subscript(key: String) -> JSON? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }
}
