import XCTest
import VitRelCore
@testable import VitRelImaging

final class PixelSpaceTests: XCTestCase {
    /// LIME hands gray X-rays over as [B, 1, H, W]: normalising them must equal normalising
    /// the same image replicated to three channels (what preprocessing does).
    func testGrayPixelBatchNormalisesLikeItsRGBCopy() {
        let preprocessing = Preprocessing(inputHeight: 2, inputWidth: 3, mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2])
        let gray: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1, 1, 0.5, 0.25, 0, 0.75, 0.125]
        let single = Tensor<Float>(shape: [2, 1, 2, 3], scalars: gray)
        var rgb = [Float]()
        for b in 0..<2 { for _ in 0..<3 { rgb += gray[(b * 6)..<((b + 1) * 6)] } }
        let replicated = Tensor<Float>(shape: [2, 3, 2, 3], scalars: rgb)
        let fromGray = preprocessing.normalise(pixelBatch: single)
        XCTAssertEqual(fromGray.shape, [2, 3, 2, 3])
        XCTAssertEqual(fromGray, preprocessing.normalise(pixelBatch: replicated))
        XCTAssertEqual(fromGray.scalars[6 + 1], (0.2 - 0.2) / 0.25)  // image 0, green, pixel 1
    }
}
