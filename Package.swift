// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "analyze",
    products: [
        .executable(name: "analyze", targets: ["analyze"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, kept at the edge.
        .systemLibrary(name: "CGMP", pkgConfig: "gmp", providers: [.apt(["libgmp-dev"])]),
        .systemLibrary(name: "CLAPACK", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev", "libopenblas-dev"])]),

        // Libraries, one concern each.
        .target(name: "BigInt", dependencies: ["CGMP"]),
        .target(name: "Combinatorics", dependencies: ["BigInt"]),
        .target(name: "LinearAlgebra", dependencies: ["CLAPACK"]),
        .target(name: "Report", dependencies: ["BigInt"]),
        .target(name: "OutputFiles"),
        .target(name: "Notebook", dependencies: ["OutputFiles"]),
        .target(name: "Checkpoint", dependencies: ["MoE", "LinearAlgebra", "Report"]),
        .target(name: "MoE", dependencies: ["LinearAlgebra"]),
        .target(name: "Analysis", dependencies: ["Checkpoint", "MoE", "LinearAlgebra", "Combinatorics"]),
        .target(name: "Bench", dependencies: ["MoE", "LinearAlgebra"]),

        // The command line: parse, call a library, format.
        .executableTarget(name: "analyze", dependencies: [
            "BigInt", "Combinatorics", "LinearAlgebra", "Report", "Checkpoint", "MoE", "Analysis", "Bench", "Notebook", "OutputFiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests, one target per library, and the helpers they share.
        .target(name: "TestSupport", dependencies: ["Checkpoint", "Report", "MoE", "LinearAlgebra"], path: "Tests/TestSupport"),
        .testTarget(name: "BigIntTests", dependencies: ["BigInt"]),
        .testTarget(name: "CombinatoricsTests", dependencies: ["Combinatorics", "BigInt"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint", "TestSupport", "LinearAlgebra", "MoE", "Report"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MoETests", dependencies: ["MoE", "TestSupport", "Checkpoint", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "TestSupport", "Checkpoint", "MoE", "LinearAlgebra"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "LinearAlgebra", "MoE"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "OutputFiles", "TestSupport"]),
        .testTarget(name: "OutputFilesTests", dependencies: ["OutputFiles", "TestSupport"]),
        .testTarget(name: "AnalyzeTests", dependencies: ["analyze", "TestSupport", "Report", "BigInt", "Checkpoint", "LinearAlgebra", "Notebook"], resources: [.copy("Fixtures")]),
    ]
)
