import Foundation
import Testing

/// A clone has no folder beside the project: nothing in it may point at the workspace's
/// shared folder; the project's own contract is docs/layer.md and docs/checkpoint-format.md.
@Suite struct RepositoryLinksTests {
    /// Files git would ship: sources, tests, tools, docs, notebooks, the README.
    static func shippedFiles() -> [URL] {
        let manager = FileManager.default
        var files = [ClaimsTests.root.appendingPathComponent("README.md")]
        for folder in ["Sources", "Tests", "tools", "docs", "notebooks-md", "fuzz", "python"] {
            let dir = ClaimsTests.root.appendingPathComponent(folder)
            guard let walk = manager.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walk where ["swift", "md", "py", "sh", "toml"].contains(url.pathExtension) {
                files.append(url)
            }
        }
        return files
    }

    @Test func nothingPointsOutsideTheClone() throws {
        let files = RepositoryLinksTests.shippedFiles()
        #expect(files.count >= 100)
        let outside = ["shared" + "/spec", "../" + "shared"]
        for file in files {
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
            for needle in outside {
                #expect(!text.contains(needle), "\(file.path) mentions \(needle)")
            }
        }
    }
}
