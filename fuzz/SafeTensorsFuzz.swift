import Foundation

/// libFuzzer entry point for the safetensors readers: any bytes either open as a
/// ``SafeTensorsFile`` or throw a ``CheckpointError``; an opened file's tensors all read.
///
/// Compiled into one module with the readers' sources by `fuzz/build.sh`, so it sees
/// internal names. Beyond "no trap", it checks what opening promises: every byte range
/// lies inside the file and holds exactly the shape's elements, every read returns
/// `count` values or a typed error, and ``LazySafeTensorsFile`` over the same bytes
/// accepts and rejects alike (the same error) and reads the same bits.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: start, count: size)
    let eager = Result { () throws(CheckpointError) in try SafeTensorsFile(data: data) }
    let lazy = Result { () throws(CheckpointError) in try LazySafeTensorsFile(source: MemoryByteSource(bytes: [UInt8](data))) }
    switch (eager, lazy) {
    case (.failure(let a), .failure(let b)):
        precondition(a == b, "readers disagree: \(a) against \(b)")
    case (.success(let file), .success(let lazyFile)):
        precondition(file.names == lazyFile.names && file.metadata == lazyFile.metadata, "readers list different contents")
        for name in file.names { checkTensor(name, file, lazyFile, size: size) }
    default:
        preconditionFailure("one reader opened the file, the other did not: \(eager), \(lazy)")
    }
    return 0
}

/// Checks one tensor's entry and every read of it in both readers.
private func checkTensor(_ name: String, _ file: SafeTensorsFile, _ lazyFile: LazySafeTensorsFile, size: Int) {
    guard let info = try? file.info(name) else { preconditionFailure("listed tensor '\(name)' has no info") }
    precondition((try? lazyFile.info(name)) == info, "readers disagree on '\(name)'")
    precondition(info.fileOffsets.upperBound <= size, "tensor '\(name)' reaches past the file")
    precondition(info.count * info.dtype.size == info.fileOffsets.count, "tensor '\(name)' size disagrees")
    let doubles = try? file.doubles(name)
    check(name, info.count, doubles, expected: info.dtype.isWeightFloat)
    check(name, info.count, try? file.floats(name), expected: info.dtype.isWeightFloat)
    check(name, info.count, try? file.int64s(name), expected: nil)
    let lazyDoubles = try? lazyFile.doubles(name)
    precondition(doubles?.map(\.bitPattern) == lazyDoubles?.map(\.bitPattern), "readers read different values of '\(name)'")
    if let doubles, info.count > 0 {
        let part = (info.count / 3)..<info.count
        precondition((try? lazyFile.doubles(name, elements: part))?.map(\.bitPattern) == doubles[part].map(\.bitPattern),
                     "a partial read of '\(name)' differs")
    }
}

/// A read of `name` returned `count` values, and succeeded exactly when `expected` says
/// (nil: either way, as for U64 values past Int64.max).
private func check<T>(_ name: String, _ count: Int, _ values: [T]?, expected: Bool?) {
    if let values { precondition(values.count == count, "tensor '\(name)' read \(values.count) of \(count) values") }
    if let expected { precondition((values != nil) == expected, "tensor '\(name)' read succeeded: \(values != nil)") }
}

/// The fuzz input as a ``ByteSource``, refusing ranges outside it as a file would.
private struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    var name: String { "fuzz input" }
    var size: Int { bytes.count }

    func read(_ range: Range<Int>) throws(CheckpointError) -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else {
            throw .unreadable(path: name, reason: "byte range \(range) outside the \(bytes.count)-byte input")
        }
        return Array(bytes[range])
    }
}
