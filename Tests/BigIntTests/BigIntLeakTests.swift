import Testing
@testable import BigInt

/// Every GMP value is freed: a workload that creates 100,000 values leaves none behind.
///
/// Other suites run in parallel and hold a few values of their own while they run, so
/// the check allows a small margin; a leak of one value per operation would add 100,000.
@Test func bigIntStorageIsFreed() {
    let before = BigInt.liveCount
    for round in 0..<10_000 {
        var x = BigInt(round)
        x = x * BigInt(3) + (x >> 1) - BigInt.binomial(20, round % 20)
        x += x
        _ = x.description
    }
    #expect(BigInt.liveCount - before < 2_000)
}
