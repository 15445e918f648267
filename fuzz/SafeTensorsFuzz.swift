import Foundation

/// libFuzzer entry point for the safetensors reader: any bytes either open as a
/// ``SafeTensorsFile`` or throw a ``CheckpointError``; an opened file's tensors all read.
///
/// Compiled into one module with the reader's sources by `fuzz/build.sh`, so it sees
/// internal names. Beyond "no trap", it checks what opening promises: every byte range
/// lies inside the file and holds exactly the shape's elements, every read returns `count`
/// values or a typed error (float reads succeed exactly for float dtypes), the raw bytes are
/// the file's own, `Float` and `Double` reads agree, a partial read is the same slice of a
/// full read, and every error message is free of control characters.
@_cdecl("LLVMFuzzerTestOneInput")
public func safeTensorsFuzz(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: size))
    do {
        let file = try SafeTensorsFile(source: MemoryByteSource(name: "fuzz input", bytes: bytes))
        for name in file.names { checkTensor(name, file, bytes) }
    } catch {
        checkText(error.description)
    }
    return 0
}

/// Checks one tensor's entry and every read of it.
private func checkTensor(_ name: String, _ file: SafeTensorsFile, _ bytes: [UInt8]) {
    guard let info = try? file.info(name) else { preconditionFailure("listed tensor '\(name)' has no info") }
    precondition(info.fileOffsets.upperBound <= bytes.count, "tensor '\(name)' reaches past the file")
    precondition(info.count * info.dtype.size == info.fileOffsets.count, "tensor '\(name)' size disagrees")
    precondition((try? file.rawBytes(name)) == Array(bytes[info.fileOffsets]), "raw bytes of '\(name)' differ")
    let doubles = try? file.doubles(name)
    let floats = try? file.floats(name)
    check(name, info.count, doubles, expected: info.dtype.isFloat)
    check(name, info.count, floats, expected: info.dtype.isFloat)
    check(name, info.count, try? file.int64s(name), expected: info.dtype.isFloat ? false : nil)
    if let doubles, let floats {
        precondition(zip(doubles, floats).allSatisfy { Float($0).bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) },
                     "Float and Double reads of '\(name)' disagree")
    }
    if let doubles, info.count > 0 {
        let part = (info.count / 3)..<info.count
        precondition((try? file.doubles(name, elements: part))?.map(\.bitPattern) == doubles[part].map(\.bitPattern),
                     "a partial read of '\(name)' differs")
    }
    do { _ = try file.doubles(name, elements: 0..<(info.count + 1)) } catch { checkText(error.description) }
}

/// A read of `name` returned `count` values, and succeeded exactly when `expected` says
/// (nil: either way, as for U64 values past Int64.max).
private func check<T>(_ name: String, _ count: Int, _ values: [T]?, expected: Bool?) {
    if let values { precondition(values.count == count, "tensor '\(name)' read \(values.count) of \(count) values") }
    if let expected { precondition((values != nil) == expected, "tensor '\(name)' read succeeded: \(values != nil)") }
}

/// An error message: not empty, no control characters.
private func checkText(_ text: String) {
    precondition(!text.isEmpty, "empty error message")
    precondition(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) },
                 "control character in: \(text.debugDescription)")
}
