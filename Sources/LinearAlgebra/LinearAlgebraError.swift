/// A failure reported by a LAPACK routine or found in its input.
///
/// `illegalArgument` (LAPACK `info < 0`) means the caller passed a bad argument: a bug in this
/// library, never the user's fault. `noConvergence` (`info > 0`) is a result the caller must
/// handle; the SVD falls back to a second algorithm before throwing it.
public indirect enum LinearAlgebraError: Error, Equatable, CustomStringConvertible {
    /// The routine rejected argument number `argument` (LAPACK `info = -argument`).
    case illegalArgument(routine: String, argument: Int)
    /// The routine's iteration did not converge (LAPACK `info > 0`).
    case noConvergence(routine: String, info: Int)
    /// LAPACKE could not allocate its workspace or a transposed copy.
    case outOfMemory(routine: String)
    /// The input holds NaN or infinity; `what` names it.
    case nonFinite(what: String)
    /// Two operands whose sizes do not fit together.
    case shapeMismatch(String)
    /// A request that cannot be carried out (an unknown expert, a stack past the size limit); the
    /// message says which.
    case invalidInput(String)
    /// A failure while working on one named thing (a target map, a family's span).
    case within(String, LinearAlgebraError)

    public var description: String {
        switch self {
        case .illegalArgument(let routine, let argument):
            return "LAPACK \(routine) rejected argument \(argument) (a bug in the caller, please report it)"
        case .noConvergence(let routine, let info):
            return "LAPACK \(routine) did not converge (info = \(info))"
        case .outOfMemory(let routine):
            return "LAPACK \(routine) could not allocate its workspace"
        case .nonFinite(let what):
            return "\(what) contains NaN or infinity"
        case .shapeMismatch(let message), .invalidInput(let message):
            return message
        case .within(let what, let error):
            return "\(what): \(error)"
        }
    }

    /// Runs `body`, naming `what` in any ``LinearAlgebraError`` it throws.
    static func naming<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as LinearAlgebraError { throw LinearAlgebraError.within(what(), error) }
    }

    /// Turns a LAPACKE return code into an error; `nil` for success and for `info > 0`,
    /// which each routine interprets itself.
    static func check(_ info: Int32, routine: String) -> LinearAlgebraError? {
        switch info {
        case 0...: return nil
        case -1011, -1010: return .outOfMemory(routine: routine)
        default: return .illegalArgument(routine: routine, argument: Int(-info))
        }
    }
}
