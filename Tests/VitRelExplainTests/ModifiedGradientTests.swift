import XCTest
import VitRelTestSupport
@testable import VitRelExplain

/// "LRP as modified gradient × input" (Achtibat et al. 2024 §3.3) equals the explicit
/// rule-by-rule relevance pass, for AttnLRP and CP-LRP at ε = 0, biases included.
final class ModifiedGradientTests: XCTestCase {
    func check(
        _ gradientRule: GradientRule, explicit rules: RelevanceRules, pooling: ViTConfig.Pooling,
        family: (inout ViTConfig) -> Void = { _ in }
    ) throws {
        let model = TinyViT.model(pooling: pooling, seed: 17, family: family)
        let images = TinyViT.randomTensor([2, 3, 8, 12], seed: 31)
        let trace = try model.forward(images)
        for target in 0..<3 {
            var seed = Tensor<Double>(zeros: [2, 3]), oneHot = seed
            for b in 0..<2 {
                seed.scalars[b * 3 + target] = trace.logits.scalars[b * 3 + target]
                oneHot.scalars[b * 3 + target] = 1
            }
            // Explicit pass, one image at a time (the ledger's leaves are per pass).
            let gradients = model.inputGradients(oneHot, trace: trace, rule: gradientRule)
            for b in 0..<2 {
                let single = try model.forward(images.slice(b).reshaped([1, 3, 8, 12]))
                let singleSeed = Tensor(shape: [1, 3], scalars: Array(seed.scalars[(b * 3)..<(b * 3 + 3)]))
                let pass = model.relevance(singleSeed, trace: single, rules: rules)
                let perImage = 3 * 8 * 12
                for i in 0..<perImage {
                    let modified = images.scalars[b * perImage + i] * gradients.images.scalars[b * perImage + i]
                    XCTAssertEqual(pass.pixels!.scalars[i], modified, accuracy: 1e-10, "\(gradientRule) pixel \(i) target \(target)")
                }
                // Leaves: Σ cls ⊙ g (per image) is not split by the batch-summed gradient, so
                // compare the whole-image totals: pixels + CLS + position = explicit leaves.
                XCTAssertEqual(pass.ledger.pixels!, (0..<perImage).reduce(0.0) { $0 + images.scalars[b * perImage + $1] * gradients.images.scalars[b * perImage + $1] }, accuracy: 1e-10)
            }
            // CLS and position leaves summed over the batch: cls ⊙ g_cls and pos ⊙ g_pos.
            var explicitClass = 0.0, explicitPosition = 0.0
            for b in 0..<2 {
                let single = try model.forward(images.slice(b).reshaped([1, 3, 8, 12]))
                let singleSeed = Tensor(shape: [1, 3], scalars: Array(seed.scalars[(b * 3)..<(b * 3 + 3)]))
                let ledger = model.relevance(singleSeed, trace: single, rules: rules).ledger
                explicitClass += ledger.classToken
                explicitPosition += ledger.positionEmbedding
            }
            let modifiedClass = zip(model.classToken.scalars, gradients.classToken).reduce(0.0) { $0 + $1.0 * $1.1 }
            let modifiedPosition = zip(model.positionEmbedding.scalars, gradients.positionEmbedding).reduce(0.0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(explicitClass, modifiedClass, accuracy: 1e-10)
            XCTAssertEqual(explicitPosition, modifiedPosition, accuracy: 1e-10)
        }
    }

    func testAttnLRPModifiedGradientEqualsExplicitRules() throws {
        var rules = RelevanceRules.attnLRP(epsilon: 0)
        rules.patch = .linear(.epsilon(0))
        try check(.attnLRP, explicit: rules, pooling: .token)
        try check(.attnLRP, explicit: rules, pooling: .average)
        try check(.attnLRP, explicit: rules, pooling: .classTokenAndPatchMean)
    }

    /// norm_pre and q_norm / k_norm with σ detached, QuickGELU with dy·σ(1.702x): the same
    /// equality on a model with CLIP's features and qk_norm.
    func testModifiedGradientEqualsExplicitRulesWithCLIPAndQueryKeyNorm() throws {
        var attnLRP = RelevanceRules.attnLRP(epsilon: 0)
        attnLRP.patch = .linear(.epsilon(0))
        try check(.attnLRP, explicit: attnLRP, pooling: .token, family: TinyViT.clipFeatures)
        var cpLRP = RelevanceRules.cpLRP(epsilon: 0)
        cpLRP.patch = .linear(.epsilon(0))
        try check(.constantAttention, explicit: cpLRP, pooling: .average, family: TinyViT.clipFeatures)
    }

    /// SwiGLU's gated product: AttnLRP's uniform rule (both factors' gradients halved, SiLU's
    /// by y/x) and CP-LRP's constant gate (no gradient to x₁) equal the explicit rules.
    func testModifiedGradientEqualsExplicitRulesWithSwiGLU() throws {
        var attnLRP = RelevanceRules.attnLRP(epsilon: 0)
        attnLRP.patch = .linear(.epsilon(0))
        try check(.attnLRP, explicit: attnLRP, pooling: .token, family: TinyViT.swiGLUFeatures)
        var cpLRP = RelevanceRules.cpLRP(epsilon: 0)
        cpLRP.patch = .linear(.epsilon(0))
        try check(.constantAttention, explicit: cpLRP, pooling: .classTokenAndPatchMean, family: TinyViT.swiGLUFeatures)
    }

    func testCPLRPModifiedGradientEqualsExplicitRules() throws {
        var rules = RelevanceRules.cpLRP(epsilon: 0)
        rules.patch = .linear(.epsilon(0))
        try check(.constantAttention, explicit: rules, pooling: .token)
    }

    /// The modified gradient is not the gradient: gradient × input through the same model
    /// differs (so the test above is not passing by accident).
    func testExactGradientTimesInputDiffers() throws {
        let model = TinyViT.model(seed: 17)
        let images = TinyViT.randomTensor([1, 3, 8, 12], seed: 31)
        let trace = try model.forward(images)
        var oneHot = Tensor<Double>(zeros: [1, 3])
        oneHot.scalars[0] = 1
        let exact = model.inputGradients(oneHot, trace: trace).images.scalars
        let modified = model.inputGradients(oneHot, trace: trace, rule: .attnLRP).images.scalars
        XCTAssertGreaterThan(zip(exact, modified).map { abs($0 - $1) }.max()!, 1e-3)
    }
}
