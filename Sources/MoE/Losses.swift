import LinearAlgebra

// The auxiliary losses over a batch of T tokens (spec, "Auxiliary losses"):
//   load balance  lb = N Σ_e f_e P_e, f_e = (pairs routed to e) / (T·K), P_e = mean_t p_te
//   (the router's scores: σ(z_te) with the sigmoid-scores extension);
//   router z-loss zl = mean_t (logsumexp z_t)².

/// Load-balance forward: the loss and the routed fractions f ([N]), which backward
/// treats as constants.
func loadBalanceForward<Scalar: BLASScalar>(
    shape s: LayerShape, probs: Buffer<Scalar>, groups: ExpertGroups
) -> (loss: Scalar, fractions: Buffer<Scalar>) {
    let fractions = Buffer<Scalar>(zeros: s.n)
    var loss: Scalar = 0
    for e in 0..<s.n {
        fractions.p[e] = Scalar(groups.count(e)) / Scalar(s.nodes)
        var meanP: Scalar = 0
        for t in 0..<s.tokens { meanP += probs.p[t * s.n + e] }
        meanP /= Scalar(s.tokens)
        loss += fractions.p[e] * meanP
    }
    return (Scalar(s.n) * loss, fractions)
}

/// Load-balance backward: lb = N Σ_e f_e (1/T) Σ_t p_te with f constant
/// ⇒ dp_te += coef · N f_e / T. dProbs is [T, N], accumulated into.
func loadBalanceBackward<Scalar: BLASScalar>(
    shape s: LayerShape, fractions: Buffer<Scalar>, coefficient: Scalar, dProbs: Buffer<Scalar>
) {
    guard coefficient != 0 else { return }
    let scale = coefficient * Scalar(s.n) / Scalar(s.tokens)
    for t in 0..<s.tokens {
        for e in 0..<s.n { dProbs.p[t * s.n + e] += scale * fractions.p[e] }
    }
}

/// Router z-loss forward: mean over tokens of logsumexp(z)².
func zLossForward<Scalar: BLASScalar>(shape s: LayerShape, logSumExp: Buffer<Scalar>) -> Scalar {
    var sum: Scalar = 0
    for t in 0..<s.tokens { sum += logSumExp.p[t] * logSumExp.p[t] }
    return sum / Scalar(s.tokens)
}

/// Router z-loss backward: zl = (1/T) Σ_t lse_t², ∂lse_t/∂z_te = p_te = softmax(z_t)_e
/// ⇒ dz_te += coef · (2/T) lse_t p_te (p_te = exp(z_te − lse_t) when the router's scores
/// are sigmoids). dLogits is [T, N], accumulated into.
func zLossBackward<Scalar: BLASScalar>(
    shape s: LayerShape, router: RouterCache<Scalar>, coefficient: Scalar, dLogits: Buffer<Scalar>
) {
    guard coefficient != 0 else { return }
    for t in 0..<s.tokens {
        let scale = coefficient * 2 / Scalar(s.tokens) * router.logSumExp.p[t]
        for e in 0..<s.n {
            let i = t * s.n + e
            let p = router.scores == .softmax ? router.probs.p[i] : Scalar.exp(router.logits.p[i] - router.logSumExp.p[t])
            dLogits.p[i] += scale * p
        }
    }
}
