//! Small helpers around the browser: address bar, clipboard, downloads, canvas pixels.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

use crate::render::Rgb;

pub fn window() -> web_sys::Window {
    web_sys::window().expect("a window")
}

/// What the page was opened with: query and hash together.
pub fn current_link() -> String {
    let location = window().location();
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    format!("{search}{hash}")
}

/// Replaces the address bar's query without a reload or a history entry.
pub fn replace_query(query: &str) {
    let location = window().location();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    if let Ok(history) = window().history() {
        let _ =
            history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}?{query}")));
    }
}

pub fn href() -> String {
    window().location().href().unwrap_or_default()
}

/// Copies `text` to the clipboard; false when the browser refuses (no permission, no API).
pub async fn copy_text(text: &str) -> bool {
    let clipboard = window().navigator().clipboard();
    wasm_bindgen_futures::JsFuture::from(clipboard.write_text(text))
        .await
        .is_ok()
}

/// Offers `bytes` as a file download.
pub fn download(filename: &str, bytes: &[u8], mime: &str) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = Blob::new_with_u8_array_sequence_and_options(&parts, &options) else {
        return;
    };
    download_blob(filename, &blob);
}

fn download_blob(filename: &str, blob: &Blob) {
    let Ok(url) = Url::create_object_url_with_blob(blob) else {
        return;
    };
    let document = window().document().expect("a document");
    if let Ok(a) = document.create_element("a") {
        let a: HtmlAnchorElement = a.unchecked_into();
        a.set_href(&url);
        a.set_download(filename);
        a.click();
    }
    let _ = Url::revoke_object_url(&url);
}

/// Saves the SVG element with `id` as a PNG (drawn through an image onto a canvas, 2× scale).
pub fn svg_to_png(id: &str, filename: &str) {
    let document = window().document().expect("a document");
    let Some(svg) = document.get_element_by_id(id) else {
        return;
    };
    let Ok(serializer) = web_sys::XmlSerializer::new() else {
        return;
    };
    let Ok(text) = serializer.serialize_to_string(&svg) else {
        return;
    };
    let (w, h) = (
        svg.client_width().max(1) as u32,
        svg.client_height().max(1) as u32,
    );
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let filename = filename.to_string();
    let img = image.clone();
    let onload = Closure::once(move || {
        let document = window().document().expect("a document");
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .expect("canvas")
            .unchecked_into();
        canvas.set_width(w * 2);
        canvas.set_height(h * 2);
        let Ok(Some(ctx)) = canvas.get_context("2d") else {
            return;
        };
        let ctx: web_sys::CanvasRenderingContext2d = ctx.unchecked_into();
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(0.0, 0.0, (w * 2) as f64, (h * 2) as f64);
        let _ = ctx.draw_image_with_html_image_element_and_dw_and_dh(
            &img,
            0.0,
            0.0,
            (w * 2) as f64,
            (h * 2) as f64,
        );
        if let Ok(url) = canvas.to_data_url_with_type("image/png")
            && let Ok(a) = document.create_element("a")
        {
            let a: HtmlAnchorElement = a.unchecked_into();
            a.set_href(&url);
            a.set_download(&filename);
            a.click();
        }
    });
    image.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    let encoded = js_sys::encode_uri_component(&text);
    image.set_src(&format!(
        "data:image/svg+xml;charset=utf-8,{}",
        String::from(encoded)
    ));
}

/// Paints an RGB picture onto a canvas at its own size.
pub fn paint(canvas: &HtmlCanvasElement, picture: &Rgb) {
    canvas.set_width(picture.width as u32);
    canvas.set_height(picture.height as u32);
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    let ctx: web_sys::CanvasRenderingContext2d = ctx.unchecked_into();
    let mut rgba = Vec::with_capacity(picture.width * picture.height * 4);
    for px in picture.pixels.chunks(3) {
        rgba.extend_from_slice(&[px[0], px[1], px[2], 255]);
    }
    if let Ok(data) = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&rgba),
        picture.width as u32,
        picture.height as u32,
    ) {
        let _ = ctx.put_image_data(&data, 0, 0);
    }
}
