import Foundation

/// A media input of a prompt: an image, audio, a PDF or a video, given as BAML's test blocks give
/// it: `{url "…"}`, `{file "…"}` or `{base64 "…", media_type "…"}`.
public struct PromptMedia: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case url(String)
        /// A path, read when the request is built.
        case file(String)
        case base64(String)
    }

    /// `image`, `audio`, `pdf` or `video`.
    public var kind: FieldType.Primitive
    public var source: Source
    /// The MIME type as given (`image/png`); for a file, guessed from its extension when not given.
    public var mediaType: String?

    public init(kind: FieldType.Primitive, source: Source, mediaType: String? = nil) {
        self.kind = kind
        self.source = source
        self.mediaType = mediaType
    }

    /// The media an argument describes, or an error saying what the argument lacks.
    /// - Parameters:
    ///   - value: `{"url": …}`, `{"file": …}` or `{"base64": …, "media_type": …}`.
    ///   - kind: the parameter's media type.
    ///   - directory: the folder a relative `file` is read from (a test block's file's).
    public init(_ value: BAMLValue, kind: FieldType.Primitive, relativeTo directory: String? = nil) throws(MediaError) {
        let mediaType = value["media_type"].flatMap { if case .string(let text) = $0 { text } else { nil } }
        func text(_ key: String) -> String? { if case .string(let text)? = value[key] { text } else { nil } }
        if let url = text("url") {
            self.init(kind: kind, source: .url(url), mediaType: mediaType)
        } else if let path = text("file") {
            let resolved = path.hasPrefix("/") || directory == nil ? path : (directory! as NSString).appendingPathComponent(path)
            self.init(kind: kind, source: .file(resolved), mediaType: mediaType)
        } else if let data = text("base64") {
            self.init(kind: kind, source: .base64(data), mediaType: mediaType ?? (kind == .pdf ? "application/pdf" : nil))
        } else {
            throw MediaError(message: "\(kind.rawValue) is given as {\"url\": …}, {\"file\": …} or {\"base64\": …, \"media_type\": …}; got \(value.json.prefix(80))")
        }
    }

    /// Where the media comes from, for people: the URL, the file, or the base64's type and size.
    public var sourceDescription: String {
        switch source {
        case .url(let url): url
        case .file(let path): path
        case .base64(let data): "\(mediaType ?? "base64"), \(data.utf8.count * 3 / 4) bytes"
        }
    }

    public struct MediaError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The media's bytes as base64 with its MIME type: base64 as given, a file read from disk;
    /// nil for a URL (the provider is sent the URL).
    public func inlineData() throws(MediaError) -> (base64: String, mediaType: String)? {
        switch source {
        case .url: return nil
        case .base64(let data): return (data, mediaType ?? "")
        case .file(let path):
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw MediaError(message: "cannot read the \(kind.rawValue) file \(path)")
            }
            return (bytes.base64EncodedString(), mediaType ?? Self.mediaType(ofExtension: (path as NSString).pathExtension))
        }
    }

    /// The MIME type of a file extension, as BAML guesses it; empty when unknown.
    static func mediaType(ofExtension pathExtension: String) -> String {
        let known = [
            "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
            "heic": "image/heic", "heif": "image/heif", "bmp": "image/bmp", "svg": "image/svg+xml", "tif": "image/tiff", "tiff": "image/tiff",
            "mp3": "audio/mpeg", "wav": "audio/wav", "ogg": "audio/ogg", "flac": "audio/flac", "m4a": "audio/m4a", "aac": "audio/aac",
            "aiff": "audio/aiff", "pdf": "application/pdf", "mp4": "video/mp4", "mov": "video/quicktime", "webm": "video/webm",
            "mpeg": "video/mpeg", "avi": "video/x-msvideo",
        ]
        return known[pathExtension.lowercased()] ?? ""
    }
}

/// One piece of a prompt message: text, or a media input where the template printed it.
public enum PromptPart: Sendable, Hashable {
    case text(String)
    case media(PromptMedia)
}
