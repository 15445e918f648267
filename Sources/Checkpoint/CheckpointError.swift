/// Everything that can be wrong with a checkpoint file or with what it holds.
///
/// Every case names what it is about (a tensor, a metadata key, a byte offset in
/// the file), so a one-line message tells the user where to look. The description is
/// ``TerminalText/escaped(_:)``: names from a file cannot reach the terminal as control codes.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadable(path: String, reason: String)
    /// No file at `path`.
    case notFound(path: String)
    /// `path` is a FIFO, a device, a socket or a directory (`kind`, in words), not a regular file.
    case notRegularFile(path: String, kind: String)
    /// A file read whole (JSON) is larger than its limit, from `fstat` before reading.
    case fileTooLarge(path: String, size: Int, limit: Int)
    /// Loading `what` would take `bytes` of memory, past `budget`; `fits` says what would fit.
    case overBudget(what: String, bytes: Int, budget: Int, fits: String)
    /// A file of linear experts (`experts.{e}.weight`) that is not one: `reason` names the tensor.
    case invalidLinearExperts(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// Fewer than the 8 bytes of the header length.
    case tooShort(size: Int)
    /// The 8-byte header length points past the end of the file.
    case headerPastEnd(headerLength: UInt64, fileSize: Int)
    /// The header is longer than the reader accepts.
    case headerTooLarge(headerLength: UInt64, limit: Int)
    /// The header is not valid JSON; `offset` is the byte offset in the file.
    case invalidJSON(offset: Int, reason: String)
    /// The JSON holds more values than the reader builds; `offset` is where the one past
    /// the limit starts.
    case tooManyJSONValues(offset: Int, limit: Int)
    /// The header is valid JSON but not an object.
    case headerNotObject
    /// The same tensor name twice in the header.
    case duplicateTensor(String)
    /// A tensor's header entry is malformed (missing key, wrong type).
    case invalidEntry(tensor: String, reason: String)
    /// A dtype string that is not a safetensors dtype.
    case unknownDType(tensor: String, dtype: String)
    /// The product of a shape's dimensions (or its byte size) overflows.
    case elementCountOverflow(tensor: String, shape: [Int])
    /// The byte range does not hold exactly the shape's elements.
    case shapeMismatch(tensor: String, shape: [Int], dtype: String, expectedBytes: Int, byteRange: Range<Int>)
    /// A byte range reaches outside the data section.
    case offsetsOutsideData(tensor: String, byteRange: Range<Int>, dataSize: Int)
    /// Two tensors share bytes.
    case overlappingTensors(String, String, fileOffset: Int)
    /// `__metadata__` is not an object of strings.
    case invalidMetadata(key: String, reason: String)
    /// No tensor of that name in the file.
    case noSuchTensor(String)
    /// The tensor's dtype cannot be read as the type asked for.
    case wrongDType(tensor: String, dtype: String, wanted: String)
    /// A tensor given to the writer has a value count that disagrees with its shape.
    case valueCountMismatch(tensor: String, shape: [Int], count: Int)
    /// A metadata key the layer needs is absent.
    case missingMetadata(key: String)
    /// A metadata value that does not parse or is out of range.
    case malformedMetadata(key: String, value: String, expected: String)
    /// A weight the configuration needs is absent.
    case missingWeight(String)
    /// A weight (or reference tensor) has the wrong shape.
    case wrongShape(tensor: String, shape: [Int], expected: [Int])
    /// A weight's dtype is not one of F32, F64, F16, BF16.
    case unsupportedWeightDType(tensor: String, dtype: String)
    /// A NaN or infinity where finite numbers are required.
    case nonFinite(tensor: String, index: Int, value: Double)

    public var description: String { TerminalText.escaped(text) }

    private var text: String {
        switch self {
        case let .unreadable(path, reason):
            return "cannot read \(path): \(reason)"
        case let .notFound(path):
            return "cannot read \(path): no such file"
        case let .notRegularFile(path, kind):
            return "cannot read \(path): it is \(kind), not a regular file"
        case let .fileTooLarge(path, size, limit):
            return "cannot read \(path): \(size) bytes is larger than the limit of \(limit) bytes"
        case let .overBudget(what, bytes, budget, fits):
            return "\(what) needs \(bytes) bytes of memory, past the budget of \(budget) bytes; \(fits)"
        case let .invalidLinearExperts(path, reason):
            return "\(path): \(reason)"
        case let .unwritable(path, reason):
            return "cannot write \(path): \(reason)"
        case let .tooShort(size):
            return "file of \(size) bytes is too short for a safetensors header (needs at least 8)"
        case let .headerPastEnd(length, size):
            return "header length \(length) at byte offset 0 reaches past the end of the \(size)-byte file"
        case let .headerTooLarge(length, limit):
            return "header length \(length) at byte offset 0 is larger than the limit of \(limit) bytes"
        case let .invalidJSON(offset, reason):
            return "header is not valid JSON at byte offset \(offset): \(reason)"
        case let .tooManyJSONValues(offset, limit):
            return "JSON at byte offset \(offset) goes past the reader's limit of \(limit) values "
                + "(tensors, shape dimensions and metadata entries together)"
        case .headerNotObject:
            return "header at byte offset 8 is not a JSON object"
        case let .duplicateTensor(name):
            return "tensor '\(name)' appears twice in the header"
        case let .invalidEntry(tensor, reason):
            return "tensor '\(tensor)': \(reason)"
        case let .unknownDType(tensor, dtype):
            return "tensor '\(tensor)': unknown dtype '\(dtype)'"
        case let .elementCountOverflow(tensor, shape):
            return "tensor '\(tensor)': element count of shape \(shape) overflows"
        case let .shapeMismatch(tensor, shape, dtype, expected, range):
            return "tensor '\(tensor)': shape \(shape) of \(dtype) needs \(expected) bytes but data_offsets "
                + "[\(range.lowerBound), \(range.upperBound)] hold \(range.count)"
        case let .offsetsOutsideData(tensor, range, size):
            return "tensor '\(tensor)': data_offsets [\(range.lowerBound), \(range.upperBound)] reach outside "
                + "the \(size)-byte data section"
        case let .overlappingTensors(a, b, offset):
            return "tensors '\(a)' and '\(b)' overlap at byte offset \(offset)"
        case let .invalidMetadata(key, reason):
            return "__metadata__ key '\(key)': \(reason)"
        case let .noSuchTensor(name):
            return "no tensor '\(name)' in the file"
        case let .wrongDType(tensor, dtype, wanted):
            return "tensor '\(tensor)' of dtype \(dtype) cannot be read as \(wanted)"
        case let .valueCountMismatch(tensor, shape, count):
            return "tensor '\(tensor)': shape \(shape) does not hold \(count) values"
        case let .missingMetadata(key):
            return "metadata key '\(key)' is missing"
        case let .malformedMetadata(key, value, expected):
            return "metadata key '\(key)' = '\(value)' is not \(expected)"
        case let .missingWeight(name):
            return "weight '\(name)' is missing"
        case let .wrongShape(tensor, shape, expected):
            return "tensor '\(tensor)' has shape \(shape), expected \(expected)"
        case let .unsupportedWeightDType(tensor, dtype):
            return "tensor '\(tensor)' has dtype \(dtype); weights must be F32, F64, F16 or BF16"
        case let .nonFinite(tensor, index, value):
            return "tensor '\(tensor)' holds \(value) at flat index \(index)"
        }
    }
}
