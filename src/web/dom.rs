//! Small helpers around the browser: address bar, clipboard, downloads, canvas pixels.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

use crate::render::Picture;

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
pub fn paint(canvas: &HtmlCanvasElement, picture: &Picture) {
    canvas.set_width(picture.width as u32);
    canvas.set_height(picture.height as u32);
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    let ctx: web_sys::CanvasRenderingContext2d = ctx.unchecked_into();
    let mut rgba = Vec::with_capacity(picture.width * picture.height * 4);
    for px in picture.rgb.chunks(3) {
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

fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// A value from the browser's local storage.
pub fn storage_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Stores a value; false when the browser refuses (full, disabled).
pub fn storage_set(key: &str, value: &str) -> bool {
    local_storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

pub fn storage_remove(key: &str) {
    if let Some(s) = local_storage() {
        let _ = s.remove_item(key);
    }
}

/// "45 s", "3 min 20 s".
pub fn duration(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as u64;
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// A date for people: "30 Nov, 14:05".
pub fn date(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {}, {:02}:{:02}",
        d.get_date(),
        months[d.get_month() as usize % 12],
        d.get_hours(),
        d.get_minutes()
    )
}

/// The page's address without its query: where a shared link points (works under a sub-path).
pub fn page_address() -> String {
    let location = window().location();
    format!(
        "{}{}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_else(|_| "/".into())
    )
}

/// The x coordinate of a mouse event in the viewBox units of the SVG with `id`
/// (`view_width` wide).
pub fn svg_x(ev: &web_sys::MouseEvent, id: &str, view_width: f32) -> Option<f32> {
    let document = window().document()?;
    let svg = document.get_element_by_id(id)?;
    let rect = svg.get_bounding_client_rect();
    if rect.width() <= 0.0 {
        return None;
    }
    Some(((ev.client_x() - rect.left()) / rect.width()) as f32 * view_width)
}

/// Saves the SVG element with `id` as an SVG file.
pub fn download_svg(id: &str, filename: &str) {
    let Some(svg) = window().document().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    let Ok(serializer) = web_sys::XmlSerializer::new() else {
        return;
    };
    if let Ok(text) = serializer.serialize_to_string(&svg) {
        download(filename, text.as_bytes(), "image/svg+xml");
    }
}

/// An asset next to the page (relative, so the page works under any sub-path).
pub fn asset_url(name: &str) -> String {
    format!("./{name}")
}

/// The files of a picker or a drop.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// Scrolls the element with `id` to the top of the window.
pub fn scroll_to(id: &str) {
    if let Some(el) = window().document().and_then(|d| d.get_element_by_id(id)) {
        el.scroll_into_view_with_bool(true);
    }
}

/// Removes the static loading indicator of `index.html` once the app is up.
pub fn remove_loading() {
    if let Some(el) = window()
        .document()
        .and_then(|d| d.get_element_by_id("loading"))
    {
        el.remove();
    }
}
