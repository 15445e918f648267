#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// How to train one model on a synthetic task.
public struct TrainingOptions: Sendable, Equatable {
    /// Optimizer steps.
    public var steps: Int
    /// Tokens per step.
    public var batchTokens: Int
    /// AdamW; its learning rate is the peak of the schedule.
    public var optimizer: AdamWOptions
    /// Steps of linear warm-up from 0 to the peak rate; then a cosine decay to
    /// `finalLearningRateFraction` of the peak at the last step.
    public var warmupSteps: Int
    public var finalLearningRateFraction: Double
    /// A curve point (held-out loss) every this many steps, and at steps 0 and `steps`.
    public var evalEvery: Int
    /// Size of the held-out batch.
    public var evalTokens: Int
    /// Seeds the training batches (the model's initialisation has its own seed).
    public var dataSeed: UInt64

    public init(steps: Int = 3000, batchTokens: Int = 128,
                optimizer: AdamWOptions = AdamWOptions(learningRate: 2e-2, weightDecay: 0.01, clipNorm: 1),
                warmupSteps: Int = 100, finalLearningRateFraction: Double = 0.1, evalEvery: Int = 100,
                evalTokens: Int = 1024, dataSeed: UInt64 = 1) {
        self.steps = steps
        self.batchTokens = batchTokens
        self.optimizer = optimizer
        self.warmupSteps = warmupSteps
        self.finalLearningRateFraction = finalLearningRateFraction
        self.evalEvery = evalEvery
        self.evalTokens = evalTokens
        self.dataSeed = dataSeed
    }

    /// The learning rate at step s (1-based).
    public func learningRate(atStep s: Int) -> Double {
        let peak = optimizer.learningRate
        if s <= warmupSteps { return peak * Double(s) / Double(max(warmupSteps, 1)) }
        let span = max(steps - warmupSteps, 1)
        let progress = min(1, Double(s - warmupSteps) / Double(span))
        let floor = finalLearningRateFraction
        return peak * (floor + (1 - floor) * 0.5 * (1 + cos(Double.pi * progress)))
    }
}

/// One point of a learning curve.
public struct TrainingPoint: Sendable, Equatable {
    public let step: Int
    /// Mean task loss (MSE) of the training batches since the previous point (NaN at step 0).
    public let trainLoss: Double
    /// Task loss on the held-out batch after this step.
    public let heldOutLoss: Double
    /// Auxiliary loss on the held-out batch (lb and z terms with their weights).
    public let heldOutAuxiliary: Double
    public let learningRate: Double
    /// Mean global gradient norm (before clipping) since the previous point (NaN at step 0).
    public let gradientNorm: Double
}

/// A training run's curve and figures.
public struct TrainingResult: Sendable {
    public let points: [TrainingPoint]
    /// The held-out batch's target variance: the loss of predicting the mean.
    public let heldOutVariance: Double
    /// Seconds spent in training steps (evaluations excluded).
    public let trainingSeconds: Double
    /// Steps completed (fewer than asked when the loss became non-finite).
    public let stepsDone: Int

    public var finalHeldOutLoss: Double { points.last?.heldOutLoss ?? .nan }
    public var stepsPerSecond: Double { Double(stepsDone) / trainingSeconds }
    /// Whether the loss stayed finite to the end.
    public var diverged: Bool { !finalHeldOutLoss.isFinite }
}

/// What the progress callback sees after each step.
public struct TrainingProgress: Sendable {
    public let step: Int
    public let steps: Int
    /// Exponential moving average (0.95) of the training batches' task loss.
    public let runningLoss: Double
}

/// Trains `model` on `task` with AdamW: each step draws a batch, computes the task loss
/// (MSE on the content slice) plus the model's auxiliary losses, and takes one step.
/// Deterministic: the same model, task and options give the same weights and curve.
/// Stops early, with a non-finite final loss, if the loss stops being finite.
@_specialize(where Model == DAGMoELayer<Float>)
@_specialize(where Model == ChainLayer<Float>)
public func train<Model: TrainableModel>(
    _ model: inout Model, task: SyntheticTask, options: TrainingOptions,
    progress: (TrainingProgress) -> Void = { _ in }
) -> TrainingResult {
    let heldOut: TaskBatch<Model.Scalar> = task.heldOut(tokens: options.evalTokens)
    var rng = SeededRandom(seed: options.dataSeed)
    var optimizer = AdamW<Model.Scalar>(options.optimizer)
    let clock = ContinuousClock()
    var elapsed = Duration.zero
    var points: [TrainingPoint] = []
    var running = Double.nan, lossSum = 0.0, normSum = 0.0, since = 0, done = 0

    func evaluate(step: Int, learningRate: Double) {
        let (y, aux) = model.predict(heldOut.x)
        points.append(TrainingPoint(
            step: step, trainLoss: since > 0 ? lossSum / Double(since) : .nan,
            heldOutLoss: heldOut.meanSquaredError(y).loss, heldOutAuxiliary: aux, learningRate: learningRate,
            gradientNorm: since > 0 ? normSum / Double(since) : .nan))
        lossSum = 0
        normSum = 0
        since = 0
    }

    evaluate(step: 0, learningRate: 0)
    for step in stride(from: 1, through: options.steps, by: 1) {
        let lr = options.learningRate(atStep: step)
        let start = clock.now
        let batch: TaskBatch<Model.Scalar> = task.batch(tokens: options.batchTokens, rng: &rng)
        var loss = 0.0
        let (_, _, grads) = model.gradients(batch.x) { y in
            let (l, g) = batch.meanSquaredError(y)
            loss = l
            return g
        }
        let norm = optimizer.step(&model.weights, gradients: grads, learningRate: lr)
        elapsed += clock.now - start
        done = step
        lossSum += loss
        normSum += norm
        since += 1
        running = running.isNaN ? loss : 0.95 * running + 0.05 * loss
        progress(TrainingProgress(step: step, steps: options.steps, runningLoss: running))
        guard loss.isFinite, norm.isFinite else {
            evaluate(step: step, learningRate: lr)
            break
        }
        if step % max(options.evalEvery, 1) == 0 || step == options.steps { evaluate(step: step, learningRate: lr) }
    }
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return TrainingResult(points: points, heldOutVariance: heldOut.targetVariance,
                          trainingSeconds: seconds, stepsDone: done)
}
