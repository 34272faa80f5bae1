//! Image checks and re-encoding: pure, CPU-bound, no I/O.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

/// An accepted image, re-encoded without metadata, with its thumbnail.
#[derive(Debug, Clone)]
pub struct ProcessedImage {
    pub content_type: &'static str,
    pub extension: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// JPEG, longest side at most the configured size.
    pub thumbnail: Vec<u8>,
}

/// Why an upload is not an acceptable image.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("not an image of an accepted kind (JPEG, PNG, WebP, GIF)")]
    NotAnImage,
    #[error("the image could not be decoded: {0}")]
    Corrupt(String),
    #[error("the image is too large ({0} megapixels at most)")]
    TooManyPixels(u64),
}

const MAX_PIXELS: u64 = 40_000_000;

/// Recognises an image by its bytes, decodes it within limits, and re-encodes it: JPEG stays
/// JPEG (quality 88), PNG and WebP become PNG (lossless), GIF becomes PNG of its first frame.
/// Re-encoding keeps the pixels only, so EXIF, XMP and GPS data are gone.
pub fn process_image(bytes: &[u8], thumbnail_px: u32) -> Result<ProcessedImage, ImageError> {
    let format = image::guess_format(bytes).map_err(|_| ImageError::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(ImageError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits_for_decode());
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels(MAX_PIXELS / 1_000_000));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits_for_decode());
    let decoded = reader
        .decode()
        .map_err(|e| ImageError::Corrupt(e.to_string()))?;
    let (content_type, extension, out_format) = match format {
        ImageFormat::Jpeg => ("image/jpeg", "jpg", ImageFormat::Jpeg),
        _ => ("image/png", "png", ImageFormat::Png),
    };
    let bytes = encode(&decoded, out_format)?;
    let thumbnail = encode(
        &decoded.thumbnail(thumbnail_px, thumbnail_px),
        ImageFormat::Jpeg,
    )?;
    Ok(ProcessedImage {
        content_type,
        extension,
        bytes,
        width,
        height,
        thumbnail,
    })
}

fn limits_for_decode() -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(512 * 1024 * 1024);
    limits
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Result<Vec<u8>, ImageError> {
    let mut out = Cursor::new(Vec::new());
    let result = if format == ImageFormat::Jpeg {
        let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
        rgb.write_with_encoder(encoder)
    } else {
        image.write_to(&mut out, format)
    };
    result.map_err(|e| ImageError::Corrupt(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(w, h);
        let mut out = Cursor::new(Vec::new());
        let _ = img.write_to(&mut out, ImageFormat::Png);
        out.into_inner()
    }

    #[test]
    fn accepts_real_images_and_thumbnails_them() {
        let processed = process_image(&png(800, 400), 320);
        let processed = processed.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (processed.width, processed.height, processed.content_type),
            (800, 400, "image/png")
        );
        let thumb = image::load_from_memory(&processed.thumbnail).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn refuses_what_is_not_an_image_whatever_its_name() {
        assert_eq!(
            process_image(b"<html><script>alert(1)</script></html>", 320).err(),
            Some(ImageError::NotAnImage)
        );
        let mut truncated = png(50, 50);
        truncated.truncate(60);
        assert!(matches!(
            process_image(&truncated, 320),
            Err(ImageError::Corrupt(_))
        ));
    }

    #[test]
    fn jpeg_exif_is_dropped() {
        // A JPEG with an APP1/Exif segment spliced in after SOI.
        let mut out = Cursor::new(Vec::new());
        let _ = DynamicImage::new_rgb8(16, 16).write_to(&mut out, ImageFormat::Jpeg);
        let plain = out.into_inner();
        let exif = b"Exif\0\0GPSLatitude=33.45";
        let mut with_exif = plain[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1, 0, (exif.len() + 2) as u8]);
        with_exif.extend_from_slice(exif);
        with_exif.extend_from_slice(&plain[2..]);
        let processed = process_image(&with_exif, 64).unwrap_or_else(|e| panic!("{e}"));
        assert!(!processed.bytes.windows(4).any(|w| w == b"Exif"));
        assert!(!processed.bytes.windows(11).any(|w| w == b"GPSLatitude"));
    }
}
