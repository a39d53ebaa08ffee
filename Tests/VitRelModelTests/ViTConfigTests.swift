import XCTest
@testable import VitRelModel

final class ViTConfigTests: XCTestCase {
    func testTimmArchitectureNamesGiveTheirSizes() {
        let base = ViTConfig.timm(architecture: "vit_base_patch16_224")!
        XCTAssertEqual([base.embedDimension, base.depth, base.headCount, base.mlpHiddenDimension, base.tokenCount], [768, 12, 12, 3072, 197])
        let tiny = ViTConfig.timm(architecture: "vit_tiny_patch16_384")!
        XCTAssertEqual([tiny.embedDimension, tiny.headCount, tiny.imageHeight], [192, 3, 384])
        XCTAssertNil(ViTConfig.timm(architecture: "resnet50"))
    }
}
