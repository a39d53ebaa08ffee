import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// Integrated gradients (Sundararajan et al. 2017, eq. 3) with Gauss–Legendre nodes, in
/// Float64 on the tiny random ViT: completeness (their Proposition 1) is the property tested.
final class IntegratedGradientsTests: XCTestCase {
    /// |Σ attributions − (F(x) − F(x′))| per image, for `steps` nodes, computed independently
    /// of the explainer's own gap (the logits of both endpoints come from fresh forward passes).
    func completenessGaps(
        _ model: VisionTransformer<Double>, _ images: Tensor<Double>, targets: [Int], steps: Int, baseline: Double
    ) throws -> (measured: [Double], reported: [Double]) {
        var options = ExplanationOptions()
        options.integrationSteps = steps
        options.baselineValue = baseline
        let explainer = Explainer(model: model, options: options)
        let endLogits = try model(images)
        let (attributions, reported) = try explainer.integratedGradients(images, targets: targets, endLogits: endLogits)
        let baselineLogits = try model(Tensor(repeating: baseline, shape: images.shape))
        let batch = images.shape[0], perImage = images.count / batch, classes = model.config.classCount
        let measured = (0..<batch).map { b -> Double in
            let total = attributions.scalars[(b * perImage)..<((b + 1) * perImage)].reduce(0, +)
            let difference = endLogits.scalars[b * classes + targets[b]] - baselineLogits.scalars[b * classes + targets[b]]
            return abs(total - difference)
        }
        return (measured, reported)
    }

    /// The gap shrinks as nodes are added, and reaches Float64 rounding by 128 nodes.
    ///
    /// Why it must: along the straight path the target logit F(x′ + α(x − x′)) is an analytic
    /// function of α (exact GELU is entire; softmax and LayerNorm with ε > 0 are analytic on
    /// the real segment), so its derivative — the integrand, whose exact integral is
    /// F(x) − F(x′) — is analytic in a Bernstein ellipse around [0, 1] of some radius ρ > 1.
    /// An n-node Gauss–Legendre rule is exact for polynomials of degree 2n − 1, and its error
    /// for such an integrand is at most (64/15)·M·ρ^(−2n)/(ρ² − 1) (Trefethen, "Is Gauss
    /// quadrature better than Clenshaw–Curtis?", SIAM Review 2008, Thm 4.5): geometric in n,
    /// and faster still for an entire integrand. Before that regime sets in (a few nodes on
    /// this strongly nonlinear random model, whose ρ is close to 1) the gap may go either way,
    /// so monotone decrease is asserted from 16 nodes on, as a factor of 10 per doubling.
    /// The final bound is the rounding floor: the gap then consists of the Float64 rounding of
    /// Σ over 288 attributions and of two logits, all O(1), i.e. a few hundred ulps ≈ 1e-13;
    /// 1e-12 leaves a margin and is 10⁹ below the 1-node gap.
    func testCompletenessGapShrinksWithGaussLegendreNodes() throws {
        let steps = [1, 2, 4, 8, 16, 32, 64, 128]
        for pooling in [ViTConfig.Pooling.token, .average, .classTokenAndPatchMean] {
            let model = TinyViT.model(pooling: pooling, seed: 23)
            let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 41)
            let targets = [0, 2]
            for baseline in [0.0, -0.5] {
                var history = [[Double]]()
                for count in steps {
                    let (measured, reported) = try completenessGaps(model, images, targets: targets, steps: count, baseline: baseline)
                    // The explainer's reported (signed) gap is the same quantity.
                    for (m, r) in zip(measured, reported) { XCTAssertEqual(abs(r), m, accuracy: 1e-12) }
                    history.append(measured)
                }
                for b in 0..<2 {
                    let gaps = history.map { $0[b] }
                    let context = "\(pooling), baseline \(baseline), image \(b): gaps \(gaps)"
                    XCTAssertGreaterThan(gaps[0], 1e-3, "the 1-node (midpoint) rule is visibly inexact: \(context)")
                    for k in 1..<steps.count where steps[k] >= 32 && gaps[k - 1] > 1e-12 {
                        XCTAssertLessThan(gaps[k], gaps[k - 1] / 10, "\(steps[k]) nodes: \(context)")
                    }
                    XCTAssertLessThan(gaps[gaps.count - 1], 1e-12, context)
                }
            }
        }
    }
}
