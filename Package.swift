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
        .target(name: "Notebook"),
        .target(name: "Checkpoint", dependencies: ["MoE", "LinearAlgebra"]),
        .target(name: "MoE", dependencies: ["LinearAlgebra"]),

        // The command line: parse, call a library, format.
        .executableTarget(name: "analyze", dependencies: [
            "BigInt", "Combinatorics", "LinearAlgebra", "Report", "Checkpoint", "MoE", "Notebook",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests, one target per library.
        .testTarget(name: "BigIntTests", dependencies: ["BigInt"]),
        .testTarget(name: "CombinatoricsTests", dependencies: ["Combinatorics", "BigInt"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "CheckpointTests", dependencies: ["Checkpoint"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MoETests", dependencies: ["MoE", "Checkpoint", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook"]),
        .testTarget(name: "AnalyzeTests", dependencies: ["analyze", "Report", "BigInt", "Checkpoint", "Notebook"], resources: [.copy("Fixtures")]),
    ]
)
