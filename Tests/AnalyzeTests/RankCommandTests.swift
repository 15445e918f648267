import Foundation
import Testing

/// `analyze rank` end to end, against numpy (the committed fixture of tools/rank_reference.py)
/// and against every kind of bad input.
@Suite struct RankCommandTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    func json(_ r: RunResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Ranks, tolerances, singular values, residuals and eigenvalues agree with numpy's
    /// matrix_rank, svd, lstsq and eigvals on the same matrices (a file of F64/F32/BF16/F16 experts
    /// with W_4 = W_0 + 2·W_1 planted, and a --random stream reproduced in Python).
    @Test func agreesWithNumpy() throws {
        let data = try Data(contentsOf: RankCommandTests.fixtures.appendingPathComponent("rank_reference.json"))
        let reference = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try #require(reference["cases"] as? [[String: Any]])
        #expect(cases.count == 3)
        for c in cases {
            let args = (c["args"] as! [String]).map { arg in
                arg.hasSuffix(".safetensors") ? RankCommandTests.fixtures.appendingPathComponent(arg).path : arg
            }
            let r = try runAnalyze(["rank"] + args + ["--format", "json"])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            let got = try json(r)
            #expect(got["d"] as? Int == c["d"] as? Int)
            let gotFamilies = try #require(got["families"] as? [[String: Any]])
            let wantFamilies = c["families"] as! [[String: Any]]
            #expect(gotFamilies.count == wantFamilies.count)
            for (g, w) in zip(gotFamilies, wantFamilies) {
                let label = "\(args) \(w["family"]!) depth \(w["depth"]!)"
                #expect(g["family"] as? String == w["family"] as? String, "\(label)")
                #expect(g["columns"] as? Int == w["columns"] as? Int, "\(label)")
                #expect(g["rank"] as? Int == w["rank"] as? Int, "\(label)")
                let (gt, wt) = (g["tolerance"] as! Double, w["tolerance"] as! Double)
                #expect(abs(gt - wt) <= 1e-12 * wt, "\(label)")
                let gs = g["singular_values"] as! [Double], ws = w["singular_values"] as! [Double]
                #expect(gs.count == ws.count, "\(label)")
                let worst = zip(gs, ws).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-12 * ws[0], "\(label): singular values differ by \(worst)")
                let gotTargets = g["targets"] as! [[String: Any]], wantTargets = w["targets"] as! [[String: Any]]
                #expect(gotTargets.count == wantTargets.count)
                for (gt, wt) in zip(gotTargets, wantTargets) {
                    let (res, want) = (gt["residual"] as! Double, wt["residual"] as! Double)
                    if want < 1e-10 {
                        #expect(res < 1e-10 && gt["expressible"] as? Bool == true, "\(label) \(wt["target"]!): \(res)")
                    } else {
                        #expect(abs(res - want) <= 1e-9 * want && gt["expressible"] as? Bool == false, "\(label) \(wt["target"]!)")
                    }
                }
            }
            if let wantEigen = c["eigenvalues"] as? [[String: Any]] {
                let gotEigen = try #require(got["eigenvalues"] as? [[String: Any]])
                #expect(gotEigen.map { $0["matrix"] as! String } == wantEigen.map { $0["matrix"] as! String })
                for (g, w) in zip(gotEigen, wantEigen) {
                    var pool = (g["values"] as! [[Double]])
                    for z in w["values"] as! [[Double]] {
                        let nearest = pool.indices.min { hypot(pool[$0][0] - z[0], pool[$0][1] - z[1]) < hypot(pool[$1][0] - z[0], pool[$1][1] - z[1]) }
                        let i = try #require(nearest)
                        #expect(hypot(pool[i][0] - z[0], pool[i][1] - z[1]) < 1e-10, "eigenvalue \(z) of \(w["matrix"]!)")
                        pool.remove(at: i)
                    }
                }
            }
        }
    }

    /// The text report shows the table, the decision line with its gap, targets and a planted note-free run.
    @Test func textShowsTheDecision() throws {
        let path = RankCommandTests.fixtures.appendingPathComponent("rank_experts.safetensors").path
        let r = try runAnalyze(["rank", "--experts", path, "--select", "0,1,2,3,4", "--depth", "2", "--target", "4"])
        #expect(r.status == 0 && r.stderr.isEmpty)
        #expect(r.stdout.contains("d = 5, 5 of 6 experts selected (0,1,2,3,4)"))
        #expect(r.stdout.contains("ws L=1: 5 singular values, rank 4"))
        #expect(r.stdout.contains("---- rank 4: σ4/σ5 = "))
        #expect(r.stdout.contains("chain L=2: 25 singular values, rank 20"))
        let row = r.stdout.split(separator: "\n").first { $0.hasPrefix("4 ") }
        #expect(row?.contains("(yes)") == true)
        #expect(!r.stdout.contains("note:"))
    }

    @Test func plotHasOneSeriesPerFamily() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString).svg")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try runAnalyze(["rank", "--random", "3,4,1", "--depth", "3", "--plot", file.path, "--format", "csv"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("family,depth,columns,bound,rank,"))
        let svg = try String(contentsOf: file, encoding: .utf8)
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
        #expect(svg.contains("chain L=3"))
    }

    @Test func randomIsReproducible() throws {
        let a = try runAnalyze(["rank", "--random", "3,5,11", "--format", "json"])
        let b = try runAnalyze(["rank", "--random", "3,5,11", "--format", "json"])
        let c = try runAnalyze(["rank", "--random", "3,5,12", "--format", "json"])
        #expect(a.status == 0 && a.stdout == b.stdout && a.stdout != c.stdout)
    }

    /// A safetensors file of F32 tensors written by hand (8-byte header length, JSON header, data).
    static func safetensors(_ tensors: [(name: String, shape: [Int], values: [Float])]) -> Data {
        var offset = 0
        var entries: [String] = []
        var body = Data()
        for t in tensors {
            let bytes = t.values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
            entries.append("\"\(t.name)\": {\"dtype\": \"F32\", \"shape\": \(t.shape), \"data_offsets\": [\(offset), \(offset + bytes.count)]}")
            offset += bytes.count
            body.append(contentsOf: bytes)
        }
        let header = Data(("{" + entries.joined(separator: ", ") + "}").utf8)
        var out = Data(withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) })
        out.append(header)
        out.append(body)
        return out
    }

    func runWithFile(_ tensors: [(name: String, shape: [Int], values: [Float])]) throws -> RunResult {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rank-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try RankCommandTests.safetensors(tensors).write(to: file)
        return try runAnalyze(["rank", "--experts", file.path])
    }

    @Test func badExpertFilesAreNamed() throws {
        let eye: [Float] = [1, 0, 0, 1]
        let nan = try runWithFile([("experts.0.weight", [2, 2], eye), ("experts.1.weight", [2, 2], [1, .nan, 0, 1])])
        #expect(nan.status != 0 && nan.stderr.contains("experts.1.weight") && nan.stderr.contains("nan"))
        let inf = try runWithFile([("experts.0.weight", [2, 2], [.infinity, 0, 0, 1])])
        #expect(inf.status != 0 && inf.stderr.contains("experts.0.weight") && inf.stderr.contains("inf"))
        let gap = try runWithFile([("experts.0.weight", [2, 2], eye), ("experts.2.weight", [2, 2], eye)])
        #expect(gap.status != 0 && gap.stderr.contains("experts.2.weight") && gap.stderr.contains("experts.1.weight"))
        let shape = try runWithFile([("experts.0.weight", [2, 2], eye), ("experts.1.weight", [1, 4], eye)])
        #expect(shape.status != 0 && shape.stderr.contains("experts.1.weight") && shape.stderr.contains("[2, 2]"))
        let none = try runWithFile([("router.weight", [2, 2], eye)])
        #expect(none.status != 0 && none.stderr.contains("experts.0.weight"))
        for r in [nan, inf, gap, shape, none] { #expect(r.stderr.split(separator: "\n").count == 1 && r.stdout.isEmpty) }
    }

    /// 0*0*…*0 with 65 factors, one past the limit.
    static let longTarget = [String](repeating: "0", count: 65).joined(separator: "*")

    @Test(arguments: [
        (["--depth", "2"], "--random"),
        (["--random", "2,3", "--experts", "x.safetensors"], "not both"),
        (["--random", "2"], "N,D"),
        (["--random", "0,3"], "at least 1"),
        (["--random", "2,99999999999"], "limit"),
        (["--random", "2,999999999999999999"], "limit"),
        (["--random", "2,3,-1"], "seed"),
        (["--random", "3,3", "--select", "0,x"], "--select"),
        (["--random", "3,3", "--select", "0,3"], "expert 3"),
        (["--random", "3,3", "--select", "1,1"], "repeats"),
        (["--random", "3,3", "--target", "1*"], "--target"),
        (["--random", "3,3", "--target", "1*9"], "expert 9"),
        (["--random", "6,3", "--select", "0,1,2,3", "--target", "5*4"], "--target '5*4': expert 5 is not in --select 0,1,2,3"),
        (["--random", "6,3", "--select", "0,1", "--target", "1*0", "--target", "2"], "--target '2': expert 2 is not in --select"),
        (["--random", "2,3", "--target", RankCommandTests.longTarget], "65 factors, past the limit of 64"),
        (["--random", "3,3", "--depth", "0"], "--depth"),
        (["--random", "3,3", "--tol=-1"], "--tol"),
        (["--random", "8,64", "--depth", "5"], "limit"),
        (["--experts", "/nonexistent.safetensors"], "/nonexistent.safetensors"),
    ])
    func badInputIsOneLine(arguments: [String], mentions: String) throws {
        let r = try runAnalyze(["rank"] + arguments)
        expectOneLineError(r, mentions, "\(arguments)")
    }
}

/// `analyze rank` with the dag family: one table shows the chain composing and the DAG module not.
@Suite struct RankDAGFamilyCommandTests {
    @Test func dagFamilyBesideWsAndChain() throws {
        let r = try runAnalyze(["rank", "--random", "4,8,3", "--target", "1*0", "--dag-rounds", "2", "--dg", "2", "--format", "json"])
        #expect(r.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let families = try #require(object["families"] as? [[String: Any]])
        #expect(families.map { $0["family"] as? String } == ["ws", "chain", "dag"])
        #expect(families[2]["rank"] as? Int == 4 + 2 * 2 * 8)
        let targets = try #require(families[2]["targets"] as? [[String: Any]])
        #expect(targets.map { $0["target"] as? String } == ["1*0", "U*A"])
        #expect(targets.map { $0["expressible"] as? Bool } == [false, true])
        let chain = try #require(families[1]["targets"] as? [[String: Any]])
        #expect(chain[0]["expressible"] as? Bool == true)
    }

    @Test func trainedModuleFromACheckpoint() throws {
        let file = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("rank_experts.safetensors").path
        let r = try runAnalyze(["rank", "--experts", file, "--dag-module", "/nonexistent.safetensors"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("/nonexistent.safetensors"))
        let both = try runAnalyze(["rank", "--random", "2,4", "--dag-module", "x", "--dag-rounds", "1"])
        #expect(both.status != 0)
    }
}
