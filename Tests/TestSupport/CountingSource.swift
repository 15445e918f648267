import Checkpoint
import Foundation

/// A byte source that records every range read from it, for tests that show what a reader
/// fetches (the header only on opening, exactly a tensor's bytes on decoding it).
public final class CountingSource: ByteSource, @unchecked Sendable {
    public let base: any ByteSource
    private let lock = NSLock()
    private var ranges: [Range<Int>] = []

    public init(_ base: any ByteSource) { self.base = base }
    public var name: String { base.name }
    public var size: Int { base.size }

    /// Every range read so far, in order.
    public var reads: [Range<Int>] {
        lock.lock()
        defer { lock.unlock() }
        return ranges
    }

    public func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        lock.lock()
        ranges.append(range)
        lock.unlock()
        return try base.read(range)
    }
}
