//! PNG encoding of the RGB buffers plotters draws into, in memory (plotters itself only
//! writes PNG files to a path). The `png` crate does the work; this file fixes the settings
//! so the same picture always gives the same bytes. The default zlib level (6) is used: the
//! best level made PNG encoding most of a run's time on real boundaries, for files about 6%
//! smaller.

/// Encodes an 8-bit RGB buffer (`width * height * 3` bytes, row-major) as PNG.
///
/// Returns `None` when the buffer length does not match the dimensions.
pub(super) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Option<Vec<u8>> {
    let expected = (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(3)?;
    if width == 0 || height == 0 || rgb.len() != expected {
        return None;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header().ok()?;
    writer.write_image_data(rgb).ok()?;
    writer.finish().ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_a_buffer_of_the_wrong_size() {
        assert!(encode_rgb(2, 2, &[0; 11]).is_none());
        assert!(encode_rgb(0, 0, &[]).is_none());
    }

    #[test]
    fn round_trips_through_a_decoder() {
        let rgb = [255, 0, 0, 0, 0, 255];
        let png = encode_rgb(2, 1, &rgb).expect("encodes");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().expect("header");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("frame");
        assert_eq!((info.width, info.height), (2, 1));
        assert_eq!(&buf[..info.buffer_size()], &rgb);
    }
}
