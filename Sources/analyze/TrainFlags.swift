import ArgumentParser
import MoE

extension SyntheticTask.Kind: ExpressibleByArgument {}
extension LayerConfig.Router: ExpressibleByArgument {}
extension LayerConfig.Norm: ExpressibleByArgument {}
extension Aggregator: ExpressibleByArgument {}

/// Options `analyze train` and `analyze compare` share: the task, the layer's shape and
/// the training schedule. The defaults keep one run to a few seconds on one core (release build).
struct TrainFlags: ParsableArguments {
    @Option(help: "composition (f_b(f_a(x))), sum (f_a(x) + f_b(x)) or composition3 (f_c(f_b(f_a(x)))).")
    var task: SyntheticTask.Kind

    @Option(help: "Hidden functions F of the task.") var functions = 4
    @Option(name: .customLong("task-seed"), help: "Seed of the task's hidden functions and held-out batch.")
    var taskSeed: UInt64 = 1

    @Option(help: "Token width d (the last steps·F coordinates carry the function code).") var d = 32
    @Option(help: "Routed experts N.") var n = 8
    @Option(help: "Experts per token K.") var k = 2
    @Option(name: .customLong("d-ff"), help: "Hidden width of each routed expert.") var dFF = 32
    @Option(name: .customLong("d-g"), help: "Width of the DAG module's space.") var dG = 8
    @Option(help: "softmax_topk or topk_softmax.") var router: LayerConfig.Router = .softmaxTopK
    @Option(help: "rmsnorm or layernorm (inside each DAG round).") var norm: LayerConfig.Norm = .rmsnorm
    @Option(name: .customLong("edge-scorer"), help: "additive (the spec's) or bilinear: how DAG rounds score edges (docs/layer.md).")
    var edgeScorer: LayerExtensions.EdgeScorer = .additive
    @Option(name: .customLong("lb-coef"), help: "Weight of the load-balance loss.") var lbCoef = 0.01
    @Option(name: .customLong("z-coef"), help: "Weight of the router z-loss.") var zCoef = 0.001

    @Option(help: "Optimizer steps.") var steps = 3000
    @Option(help: "Tokens per step.") var batch = 128
    @Option(help: "Peak learning rate (linear warm-up, cosine decay to 10%).") var lr = 2e-2
    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay (matrices only).") var weightDecay = 0.01
    @Option(help: "Largest global gradient norm (0 = no clipping).") var clip = 1.0
    @Option(help: "Warm-up steps.") var warmup = 100
    @Option(name: .customLong("eval-every"), help: "Held-out evaluation every this many steps.") var evalEvery = 100
    @Option(name: .customLong("eval-tokens"), help: "Tokens in the held-out batch.") var evalTokens = 1024

    /// Largest tokens × width product a batch may have.
    static let maxEntries = 1 << 26

    func validate() throws {
        for (flag, value) in [("--functions", functions), ("--d", d), ("--n", n), ("--k", k), ("--d-ff", dFF),
                              ("--d-g", dG), ("--steps", steps), ("--batch", batch), ("--eval-every", evalEvery),
                              ("--eval-tokens", evalTokens)] where value < 1 {
            throw ValidationError("\(flag) must be at least 1 (got \(value))")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0 (got \(warmup))") }
        guard k <= n else { throw ValidationError("--k \(k) is larger than --n \(n)") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number (got \(lr))") }
        guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight-decay must be ≥ 0 (got \(weightDecay))") }
        guard clip >= 0, clip.isFinite else { throw ValidationError("--clip must be ≥ 0 (got \(clip))") }
        guard lbCoef.isFinite, zCoef.isFinite, lbCoef >= 0, zCoef >= 0 else {
            throw ValidationError("--lb-coef and --z-coef must be finite and ≥ 0")
        }
        for tokens in [batch, evalTokens] {
            let (entries, overflow) = tokens.multipliedReportingOverflow(by: k * max(d, dFF, n))
            guard !overflow, entries <= TrainFlags.maxEntries else {
                throw ValidationError("--batch/--eval-tokens × --k × max(--d, --d-ff, --n) is past the limit of \(TrainFlags.maxEntries)")
            }
        }
        do { _ = try makeTask() } catch { throw ValidationError("--task \(task.rawValue): \(error)") }
    }

    func makeTask() throws -> SyntheticTask {
        try SyntheticTask(kind: task, dModel: d, functions: functions, seed: taskSeed)
    }

    /// The layer configuration with `depth` DAG rounds and a shared expert of `sharedDFF`;
    /// the edge scorer applies to layers with rounds.
    func config(depth: Int, sharedDFF: Int = 0) -> LayerConfig {
        let config = LayerConfig(dModel: d, nExperts: n, topK: k, dFF: dFF, dG: dG, dagLayers: depth, norm: norm,
                                 router: router, sharedDFF: sharedDFF, lbCoef: lbCoef, zCoef: zCoef)
        return depth > 0 ? config.with(LayerExtensions(edgeScorer: edgeScorer)) : config
    }

    var options: TrainingOptions {
        TrainingOptions(steps: steps, batchTokens: batch,
                        optimizer: AdamWOptions(learningRate: lr, weightDecay: weightDecay, clipNorm: clip > 0 ? clip : nil),
                        warmupSteps: warmup, evalEvery: evalEvery, evalTokens: evalTokens)
    }
}
