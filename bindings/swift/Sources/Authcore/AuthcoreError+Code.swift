// Hand-written (not generated): conveniences over the generated AuthcoreError.

extension AuthcoreError {
    /// The stable error code (`expired`, `invalid_signature`, `not_signed_in`, …), the same string
    /// the Rust core, the server and the other bindings use.
    public var code: String {
        switch self {
        case .Token(let code, _), .Key(let code, _), .Session(let code, _),
            .Store(let code, _), .Refresh(let code, _), .Callback(let code, _):
            return code
        }
    }

    /// What failed, for people.
    public var detail: String {
        switch self {
        case .Token(_, let detail), .Key(_, let detail), .Session(_, let detail),
            .Store(_, let detail), .Refresh(_, let detail), .Callback(_, let detail):
            return detail
        }
    }
}
