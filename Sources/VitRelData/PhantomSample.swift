/// One synthetic radiograph with its ground truth.
public struct PhantomSample: Equatable, Sendable {
    /// 1-channel, `size`×`size`, values on the 8-bit grid (k/255), so a PNG round trip is exact.
    public var image: Image
    /// Both lung fields (heart and mediastinum excluded), 0 or 1.
    public var lungMask: Image
    /// Exactly the pixels the class evidence raises by more than
    /// `PhantomParameters.infectionThreshold`, 0 or 1; all zero for Normal.
    public var infectionMask: Image
    public var label: ChestXRayClass
    /// The class whose `PhantomShortcut` square is burned in (the label itself unless the
    /// placement is `.swapped`), nil when the image has none.
    public var shortcutClass: ChestXRayClass?
    /// Exactly the pixels of the shortcut square, 0 or 1; all zero when there is none.
    public var shortcutMask: Image
    /// The burned-in projection markers ("A-P R", "L", …), "" when none.
    public var markerText: String
    /// Infected pixels over lung pixels (the COVID-QU-Ex severity measure).
    public var infectionAreaFraction: Double

    /// Whether the class-correlated `PhantomShortcut` square is burned in.
    public var hasShortcut: Bool { shortcutClass != nil }
}
