import CGMP
import Synchronization

/// Owns exactly one GMP `mpz_t`: `init` pairs with `mpz_clear` in `deinit`.
///
/// The struct lives in its own allocation so its address is stable for the
/// lifetime of the object, which GMP's pointer-based API requires.
final class Storage: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<__mpz_struct>

    /// Number of live storages in the process (a leak check for tests).
    static let live = Atomic<Int>(0)

    init() {
        pointer = .allocate(capacity: 1)
        cgmp_init(pointer)
        Storage.live.add(1, ordering: .relaxed)
    }

    init(capacityBits: Int) {
        pointer = .allocate(capacity: 1)
        cgmp_init2(pointer, UInt(max(capacityBits, 1)))
        Storage.live.add(1, ordering: .relaxed)
    }

    init(_ value: Int) {
        pointer = .allocate(capacity: 1)
        cgmp_init_set_si(pointer, value)
        Storage.live.add(1, ordering: .relaxed)
    }

    init(copying other: Storage) {
        pointer = .allocate(capacity: 1)
        cgmp_init_set(pointer, other.pointer)
        Storage.live.add(1, ordering: .relaxed)
    }

    deinit {
        cgmp_clear(pointer)
        pointer.deallocate()
        Storage.live.subtract(1, ordering: .relaxed)
    }
}
