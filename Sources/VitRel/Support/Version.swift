/// vitrel's version, printed by `vitrel --version` and written into every report.
public enum VitRel {
    public static let version = "0.1.0"
}
