// Resonanz on a brand's own page: <resonanz-campaign data-campaign="slug"> becomes the campaign
// in a frame (inline, popup, slide-in or a button that opens it). Messages from the frame
// follow one protocol (version 1) and reach the page as "resonanz:<type>" events.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.customElements || customElements.get("resonanz-campaign")) return;
  var ORIGIN = new URL(script.src).origin;
  var TYPES = ["ready", "height", "started", "question", "completed", "consent"];
  var THEME = ["brand", "background", "surface", "text", "radius"];
  var WORDS = {
    de: { open: "Mitmachen", close: "Schlie\u00dfen", title: "Aktion" },
    en: { open: "Take part", close: "Close", title: "Campaign" },
  };
  var CSS =
    ":host{display:block}iframe{display:block;width:100%;height:480px;border:0}" +
    "button{font:inherit;cursor:pointer}.open{background:var(--rz-brand,#222);color:#fff;" +
    "border:0;border-radius:var(--rz-radius,8px);padding:.7em 1.3em}" +
    ".layer{position:fixed;inset:0;z-index:2147483000;display:flex;align-items:center;" +
    "justify-content:center;padding:16px;background:rgba(0,0,0,.5)}" +
    ".box{position:relative;width:min(560px,100%);max-height:calc(100vh - 32px);overflow:auto;" +
    "background:var(--rz-surface,#fff);border-radius:var(--rz-radius,12px);" +
    "box-shadow:0 8px 40px rgba(0,0,0,.3)}.slide{position:fixed;z-index:2147483000;right:16px;" +
    "bottom:16px;width:min(400px,calc(100vw - 32px));max-height:min(640px,calc(100vh - 32px))}" +
    ".bar{display:flex;justify-content:flex-end;padding:4px}.close{background:none;border:0;" +
    "font-size:1.6em;line-height:1;width:44px;height:44px;color:var(--rz-text,#222)}" +
    "@media (max-width:600px){.slide{left:0;right:0;bottom:0;width:100%;max-height:85vh;" +
    "border-radius:var(--rz-radius,12px) var(--rz-radius,12px) 0 0}}";
  var live = new Set();

  function styled(root) {
    // A constructed sheet needs no 'unsafe-inline' in the host page's style-src.
    if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      var style = document.createElement("style");
      style.textContent = CSS;
      root.appendChild(style);
    }
  }

  function make(tag, attributes) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function remembered(key) {
    try {
      if (sessionStorage.getItem(key)) return true;
      sessionStorage.setItem(key, "1");
    } catch (blocked) {
      // Storage off: show it, once on this page.
    }
    return false;
  }

  // A visitor's first frames on a page would each start a session of their own, and the
  // last cookie set wins: the other frame's form then fails its CSRF check. So the page's
  // first frame loads alone (its cookies set); the others follow once it has, or after a
  // while if it never does (a slow server under load can take seconds).
  var firstFrameLoaded = null;
  function afterFirstFrame(frame, src) {
    if (firstFrameLoaded) {
      firstFrameLoaded.then(function () {
        frame.setAttribute("src", src);
      });
      return;
    }
    firstFrameLoaded = new Promise(function (resolve) {
      frame.addEventListener("load", resolve, { once: true });
      window.setTimeout(resolve, 15000);
    });
    frame.setAttribute("src", src);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== ORIGIN || !data || data.resonanz !== 1) return;
    if (TYPES.indexOf(data.type) < 0) return;
    live.forEach(function (element) {
      if (element.frame && element.frame.contentWindow === event.source) element.receive(data);
    });
  });

  class ResonanzCampaign extends HTMLElement {
    connectedCallback() {
      if (this.root) {
        live.add(this); // moved in the page: still ours
        return;
      }
      var lang = this.dataset.lang === "en" ? "en" : "de";
      var slug = this.dataset.campaign || "";
      var page = this.dataset.page === "preferences";
      if (!page && !/^[-\w]+$/.test(slug)) return;
      this.words = WORDS[lang];
      this.key = "resonanz:shown:" + (page ? "preferences" : slug);
      var url = new URL(page ? "/embed/me/" : "/embed/c/" + slug + "/", ORIGIN);
      url.searchParams.set("host", location.origin);
      url.searchParams.set("lang", lang);
      THEME.forEach(function (name) {
        var value = this.dataset["theme" + name[0].toUpperCase() + name.slice(1)];
        if (value) {
          url.searchParams.set("theme-" + name, value);
          this.style.setProperty("--rz-" + name, value);
        }
      }, this);
      if (this.dataset.token) url.searchParams.set("token", this.dataset.token);
      this.src = url.href;
      this.root = this.attachShadow({ mode: "open" });
      styled(this.root);
      live.add(this);
      var mode = this.dataset.mode || "inline";
      if (mode === "button") {
        var button = make("button", { type: "button", class: "open", part: "button" });
        button.textContent = this.dataset.label || this.words.open;
        button.addEventListener("click", this.open.bind(this, "layer"));
        this.root.appendChild(button);
      } else if (mode === "popup" || mode === "slide-in") {
        this.automatic(mode === "popup" ? "layer" : "slide");
      } else {
        this.root.appendChild(this.framed());
      }
    }

    disconnectedCallback() {
      live.delete(this);
      window.clearTimeout(this.timer);
      if (this.onLeave) document.removeEventListener("mouseout", this.onLeave);
    }

    framed() {
      var frame = make("iframe", {
        title: this.dataset.label || this.words.title,
        // The result page shares a link: the share sheet, or the clipboard.
        allow: "web-share; clipboard-write",
      });
      frame.addEventListener("load", function () {
        var target = frame.contentWindow; // none once the dialog closed
        if (target) target.postMessage({ resonanz: 1, type: "hello" }, ORIGIN);
      });
      afterFirstFrame(frame, this.src);
      this.frame = frame;
      return frame;
    }

    automatic(kind) {
      var open = function () {
        window.clearTimeout(this.timer);
        if (this.onLeave) document.removeEventListener("mouseout", this.onLeave);
        if (!this.dialog && !remembered(this.key)) this.open(kind);
      }.bind(this);
      var delay = parseFloat(this.dataset.delay);
      var exit = "exitIntent" in this.dataset;
      if (delay >= 0) this.timer = window.setTimeout(open, delay * 1000);
      else if (!exit) open();
      if (exit && matchMedia("(hover: hover)").matches) {
        // Leaving through the top edge: towards the tabs or the address bar.
        this.onLeave = function (event) {
          if (!event.relatedTarget && event.clientY <= 0) open();
        };
        document.addEventListener("mouseout", this.onLeave);
      }
    }

    open(kind) {
      if (this.dialog) return;
      var active = document.activeElement;
      while (active && active.shadowRoot && active.shadowRoot.activeElement) {
        active = active.shadowRoot.activeElement;
      }
      this.returnTo = active;
      var modal = kind === "layer";
      var box = make("div", {
        role: "dialog",
        class: "box" + (modal ? "" : " slide"),
        "aria-modal": String(modal),
        "aria-label": this.dataset.label || this.words.title,
      });
      var bar = make("div", { class: "bar" });
      var close = make("button", {
        type: "button",
        class: "close",
        "aria-label": this.words.close,
      });
      close.textContent = "\u00d7";
      close.addEventListener("click", this.close.bind(this));
      bar.appendChild(close);
      // Tabbing past the frame comes back to the close button instead of leaving the dialog.
      var edge = make("span", { tabindex: "0" });
      edge.addEventListener("focus", function () {
        close.focus();
      });
      box.append(bar, this.framed(), edge);
      box.addEventListener("keydown", this.escape.bind(this));
      var outer = box;
      if (modal) {
        outer = make("div", { class: "layer" });
        outer.appendChild(box);
        outer.addEventListener("click", function (event) {
          if (event.target === outer) this.close();
        }.bind(this));
      }
      this.dialog = outer;
      this.root.appendChild(outer);
      close.focus();
    }

    escape(event) {
      if (event.key === "Escape") this.close();
    }

    close() {
      if (!this.dialog) return;
      this.dialog.remove();
      this.dialog = this.frame = null;
      if (this.returnTo && this.returnTo.focus) this.returnTo.focus();
    }

    receive(data) {
      if (data.type === "height" && typeof data.height === "number" && data.height > 0) {
        // Sized to its content from now on, the frame needs no scrollbar; one appearing and
        // going would change the content's width, its height, and so on.
        this.frame.setAttribute("scrolling", "no");
        this.frame.style.height = Math.min(Math.ceil(data.height), 20000) + "px";
      }
      this.dispatchEvent(new CustomEvent("resonanz:" + data.type, { bubbles: true, detail: data }));
    }
  }

  customElements.define("resonanz-campaign", ResonanzCampaign);
})();
