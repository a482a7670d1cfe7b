/* The browser's own form controls as Dash components (dashboard/web/components/native.py): the
   element itself, with the page's classes, reporting what the user did through setProps. Dash's
   renderer finds them as window.malbild.<Type>. */
(function () {
  var h = React.createElement;
  var PASSED = ["id", "name", "className", "disabled", "placeholder", "autoComplete",
    "autoFocus", "required", "list", "min", "max", "step", "inputMode", "rows", "type",
    "maxLength"];

  function attributes(props) {
    var out = {};
    PASSED.forEach(function (name) {
      if (props[name] !== undefined && props[name] !== null) { out[name] = props[name]; }
    });
    Object.keys(props).forEach(function (name) {
      if (name.indexOf("aria-") === 0) { out[name] = props[name]; }
    });
    return out;
  }

  function text(value) {
    return value === null || value === undefined ? "" : String(value);
  }

  function Select(props) {
    return h("select", Object.assign(attributes(props), {
      value: text(props.value),
      onChange: function (event) { props.setProps({ value: event.target.value }); }
    }), (props.options || []).map(function (option) {
      return h("option", {
        key: text(option.value), value: text(option.value), disabled: !!option.disabled
      }, option.label);
    }));
  }

  /* A number field's value is a number, or null when empty or not a number. */
  function reported(props, raw) {
    if (props.type !== "number") { return raw; }
    var number = raw === "" ? NaN : Number(raw);
    return isNaN(number) ? null : number;
  }

  function Input(props) {
    // What the user has typed, shown while a debounced field has not yet reported it.
    var typed = React.useState(null);
    var draft = typed[0], setDraft = typed[1];
    function report(raw, extra) {
      setDraft(null);
      props.setProps(Object.assign({ value: reported(props, raw) }, extra));
    }
    return h("input", Object.assign(attributes(props), {
      type: props.type || "text",
      value: draft !== null ? draft : text(props.value),
      onChange: function (event) {
        if (props.debounce) { setDraft(event.target.value); }
        else { props.setProps({ value: reported(props, event.target.value) }); }
      },
      onBlur: function (event) { if (draft !== null) { report(event.target.value, {}); } },
      onKeyDown: function (event) {
        if (event.key === "Enter") {
          report(event.target.value, { n_submit: (props.n_submit || 0) + 1 });
        }
      }
    }));
  }

  function Textarea(props) {
    return h("textarea", Object.assign(attributes(props), {
      value: text(props.value),
      onChange: function (event) { props.setProps({ value: event.target.value }); }
    }));
  }

  function Checklist(props) {
    var chosen = props.value || [];
    return h("div", { id: props.id, className: props.className },
      (props.options || []).map(function (option, i) {
        var boxId = (props.id || "check") + "-" + i;
        var value = option.value;
        return h("div", { className: "form-check", key: text(value) },
          h("input", {
            type: "checkbox", id: boxId, className: "form-check-input",
            disabled: props.disabled || option.disabled, checked: chosen.indexOf(value) !== -1,
            onChange: function (event) {
              var ticked = event.target.checked;
              props.setProps({ value: props.options.map(function (o) { return o.value; })
                .filter(function (v) { return v === value ? ticked : chosen.indexOf(v) !== -1; })
              });
            }
          }),
          h("label", { htmlFor: boxId, className: "form-check-label" }, option.label));
      }));
  }

  /* Addresses pass Dash's own check (javascript: URLs become about:blank), as in html.A. */
  var ADDRESSES = ["href", "src", "action", "formAction", "data"];

  function clean(url) {
    var check = window.dash_clientside && window.dash_clientside.clean_url;
    if (check) { return check(url); }
    return /^\s*javascript:/i.test(String(url)) ? "about:blank" : url;
  }

  function element(node) {
    if (!Array.isArray(node)) { return node; }
    var attrs = Object.assign({}, node[1]);
    ADDRESSES.forEach(function (name) {
      if (typeof attrs[name] === "string") { attrs[name] = clean(attrs[name]); }
    });
    return h.apply(null, [node[0], attrs].concat(node.slice(2).map(element)));
  }

  /* Elements that never change, drawn as they are (dashboard/web/static_html.py). */
  function Static(props) {
    return h.apply(null, [React.Fragment, null].concat((props.tree || []).map(element)));
  }

  window.malbild = Object.assign(window.malbild || {}, {
    Select: Select, Input: Input, Textarea: Textarea, Checklist: Checklist, Static: Static
  });
})();
