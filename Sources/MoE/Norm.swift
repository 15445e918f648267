import LinearAlgebra

// RMSNorm and LayerNorm over rows of width d (spec, "Forward" step 4 and the norm
// definitions): RMSNorm u = x / sqrt(mean(x²) + eps) ⊙ w;
// LayerNorm u = (x − mean) / sqrt(var + eps) ⊙ w + b with the biased variance.

/// Per-row statistics that backward needs.
struct NormCache<Scalar: BLASScalar>: Sendable {
    /// The row means (LayerNorm; zeros for RMSNorm, which does not centre), [rows].
    let mean: Buffer<Scalar>
    /// rstd = 1 / sqrt(mean((x − mean)²) + eps), [rows].
    let rstd: Buffer<Scalar>
}

/// Norm forward. x and out are [rows, d]; weight and bias are [d] (bias only for LayerNorm).
func normForward<Scalar: BLASScalar>(
    _ kind: LayerConfig.Norm, rows: Int, d: Int, eps: Scalar, x: UnsafePointer<Scalar>,
    weight: UnsafePointer<Scalar>, bias: UnsafePointer<Scalar>?, out: UnsafeMutablePointer<Scalar>
) -> NormCache<Scalar> {
    let mean = Buffer<Scalar>(uninitialized: rows), rstd = Buffer<Scalar>(uninitialized: rows)
    let invD = 1 / Scalar(d)
    Parallel.forEach(rows, grain: 64) { range in
        for r in range {
            let xr = x + r * d, ur = out + r * d
            // μ = mean(x) for LayerNorm, 0 for RMSNorm.
            var mu: Scalar = 0
            if kind == .layernorm {
                for c in 0..<d { mu += xr[c] }
                mu *= invD
            }
            // rstd = 1 / sqrt(mean((x − μ)²) + eps).
            var ss: Scalar = 0
            for c in 0..<d {
                let v = xr[c] - mu
                ss += v * v
            }
            let rs = 1 / (ss * invD + eps).squareRoot()
            mean.p[r] = mu
            rstd.p[r] = rs
            // u = x̂ ⊙ w (+ b), x̂ = (x − μ) · rstd.
            if let bias {
                for c in 0..<d { ur[c] = (xr[c] - mu) * rs * weight[c] + bias[c] }
            } else {
                for c in 0..<d { ur[c] = (xr[c] - mu) * rs * weight[c] }
            }
        }
    }
    return NormCache(mean: mean, rstd: rstd)
}

/// Norm backward. dOut is dJ/du, [rows, d]; dX ([rows, d]), dWeight ([d]) and dBias
/// ([d], LayerNorm only) are accumulated into.
func normBackward<Scalar: BLASScalar>(
    _ kind: LayerConfig.Norm, rows: Int, d: Int, x: UnsafePointer<Scalar>, cache: NormCache<Scalar>,
    weight: UnsafePointer<Scalar>, dOut: UnsafePointer<Scalar>,
    dX: UnsafeMutablePointer<Scalar>, dWeight: UnsafeMutablePointer<Scalar>, dBias: UnsafeMutablePointer<Scalar>?
) {
    let invD = 1 / Scalar(d)
    // Rows are independent except for dw and db, which each chunk sums on its own.
    let workers = Parallel.workers
    let partialW = Buffer<Scalar>(zeros: workers * d), partialB = Buffer<Scalar>(zeros: workers * d)
    let chunkCount = Parallel.chunks(rows, grain: 64, workers: workers) { chunk, range in
        let pw = partialW.p + chunk * d, pb = partialB.p + chunk * d
        for r in range {
            let xr = x + r * d, du = dOut + r * d, dx = dX + r * d
            let mu = cache.mean.p[r], rs = cache.rstd.p[r]
            // u = x̂ ⊙ w + b  ⇒  dw += du ⊙ x̂,  db += du,  dx̂ = du ⊙ w.
            // Also gather mean(dx̂) and mean(dx̂ ⊙ x̂) for the step below.
            var meanDxhat: Scalar = 0, meanDxhatXhat: Scalar = 0
            for c in 0..<d {
                let xhat = (xr[c] - mu) * rs, dxhat = du[c] * weight[c]
                pw[c] += du[c] * xhat
                pb[c] += du[c]
                meanDxhat += dxhat
                meanDxhatXhat += dxhat * xhat
            }
            meanDxhat *= invD
            meanDxhatXhat *= invD
            // x̂ = (x − μ) rstd, rstd = (mean((x − μ)²) + eps)^(−1/2):
            //   RMSNorm (μ ≡ 0):  dx = rstd (dx̂ − x̂ mean(dx̂ ⊙ x̂));
            //   LayerNorm:        dx = rstd (dx̂ − mean(dx̂) − x̂ mean(dx̂ ⊙ x̂)),
            // the mean(dx̂) term being the path through μ (the path of μ through the
            // variance vanishes since Σ (x − μ) = 0).
            let centre = kind == .layernorm ? meanDxhat : 0
            for c in 0..<d {
                let xhat = (xr[c] - mu) * rs
                dx[c] += rs * (du[c] * weight[c] - centre - xhat * meanDxhatXhat)
            }
        }
    }
    for chunk in 0..<chunkCount {
        for c in 0..<d { dWeight[c] += partialW.p[chunk * d + c] }
        if let dBias { for c in 0..<d { dBias[c] += partialB.p[chunk * d + c] } }
    }
}
