import Foundation
import MoE
import Report

/// Text, JSON and CSV for `analyze train`.
enum TrainOutput {
    /// The learning curve: one row per evaluation.
    static func curveCSV(_ result: TrainingResult) -> String {
        var table = Table(header: ["step", "train_loss", "heldout_loss", "heldout_aux", "learning_rate", "grad_norm"])
        for p in result.points {
            table.append([String(p.step), Numbers.sixDigits(p.trainLoss), Numbers.sixDigits(p.heldOutLoss), Numbers.sixDigits(p.heldOutAuxiliary),
                          Numbers.sixDigits(p.learningRate), Numbers.sixDigits(p.gradientNorm)])
        }
        return table.csv()
    }

    static func summary(spec: ModelSpec, task: SyntheticTask, seed: UInt64, result: TrainingResult,
                        checkpoint: String, format: SummaryFormat) -> String {
        let initial = result.points.first?.heldOutLoss ?? .nan
        if format == .json {
            return JSON.object([
                ("task", .string(task.kind.rawValue)), ("aggregator", .string(spec.aggregator.rawValue)),
                ("model", .string(spec.name)), ("parameters", .int(spec.parameterCount)), ("seed", .int(Int(seed))),
                ("steps", .int(result.stepsDone)), ("initial_heldout_loss", .double(initial)),
                ("final_heldout_loss", .double(result.finalHeldOutLoss)),
                ("heldout_target_variance", .double(result.heldOutVariance)),
                ("steps_per_s", .double(Numbers.rounded(result.stepsPerSecond))),
                ("checkpoint", .string(checkpoint)),
                ("curve", .array(result.points.map { p in
                    .object([("step", .int(p.step)), ("train_loss", .double(p.trainLoss)),
                             ("heldout_loss", .double(p.heldOutLoss))])
                })),
            ]).rendered() + "\n"
        }
        return """
        task \(task.kind.rawValue) (F = \(task.functionCount), d = \(task.dModel), content \(task.contentWidth)), \
        model \(spec.name), \(Numbers.grouped(spec.parameterCount)) parameters, seed \(seed)
        held-out loss \(Numbers.short(initial)) → \(Numbers.short(result.finalHeldOutLoss)) after \(result.stepsDone) steps \
        (target variance \(Numbers.short(result.heldOutVariance)); \
        \(String(format: "%.1f", result.stepsPerSecond)) steps/s)
        checkpoint \(checkpoint)

        """
    }
}
