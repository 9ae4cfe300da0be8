// Turns the segment rule's JSON textarea in the admin into nested groups ("all of", "any of",
// "none of") with condition rows, so staff need not write JSON. Every edit rewrites the JSON
// in the textarea and fires `rule-builder-change`, which the live count listens for. The
// server still checks every rule; what the builder cannot show is kept exactly as it was.
// Without this script the textarea works on its own.
(function () {
  "use strict";

  var CHANGE_EVENT = "rule-builder-change";
  var uid = 0;

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function clone(value) {
    return JSON.parse(JSON.stringify(value));
  }

  function make(tag, properties, children) {
    var element = document.createElement(tag);
    Object.keys(properties || {}).forEach(function (name) {
      var value = properties[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        element.textContent = value;
      } else if (name === "className") {
        element.className = value;
      } else {
        element.setAttribute(name, value === true ? "" : value);
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        element.appendChild(child);
      }
    });
    return element;
  }

  function findByKey(list, key) {
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].key === key) {
        return list[i];
      }
    }
    return null;
  }

  function firstKey(list) {
    return list.length ? list[0].key : "";
  }

  // "" stays empty and a fraction stays as typed: the server explains what is wrong.
  function toNumber(text) {
    if (text === "") {
      return null;
    }
    var number = Number(text);
    return Number.isInteger(number) ? number : text;
  }

  function Builder(wrapper, textarea, vocabulary) {
    this.wrapper = wrapper;
    this.textarea = textarea;
    this.vocabulary = vocabulary;
    this.text = vocabulary.text;
    this.root = null;
    this.tree = make("div", {
      className: "rule-builder__tree",
      role: "group",
      "aria-label": this.text.builder,
    });
    this.notice = make("p", { className: "rule-builder__notice", hidden: true });
    this.toggle = make("button", {
      type: "button",
      className: "rule-builder__toggle",
      "aria-controls": textarea.id,
      "aria-expanded": "false",
      text: this.text.show_json,
    });
    wrapper.insertBefore(this.tree, textarea);
    wrapper.insertBefore(this.notice, textarea);
    wrapper.insertBefore(this.toggle, textarea);
    wrapper.classList.add("rule-builder--enhanced");

    var builder = this;
    this.toggle.addEventListener("click", function () {
      builder.showJson(textarea.hidden);
    });
    // Typing JSON by hand still works: the builder follows whenever the JSON is complete.
    textarea.addEventListener("input", function () {
      builder.load(false);
    });
    this.load(true);
  }

  Builder.prototype.showJson = function (show) {
    this.textarea.hidden = !show;
    this.toggle.setAttribute("aria-expanded", show ? "true" : "false");
    this.toggle.textContent = show ? this.text.hide_json : this.text.show_json;
  };

  Builder.prototype.load = function (initial) {
    var value;
    try {
      value = JSON.parse(this.textarea.value || "null");
    } catch (error) {
      this.notice.textContent = this.text.not_json;
      this.notice.hidden = false;
      this.tree.hidden = true;
      this.showJson(true);
      return;
    }
    this.notice.hidden = true;
    this.tree.hidden = false;
    this.root = this.parseRoot(value);
    this.render(null);
    if (initial) {
      this.showJson(false);
    }
  };

  // Reading JSON into nodes ---------------------------------------------------------------

  Builder.prototype.parseRoot = function (value) {
    if (value === null || value === "" || (isObject(value) && !Object.keys(value).length)) {
      return { group: "all", children: [] };
    }
    var node = this.parse(value);
    return node.group ? node : { group: "all", children: [node] };
  };

  Builder.prototype.parse = function (value) {
    if (isObject(value)) {
      var keys = Object.keys(value);
      if (keys.length === 1 && (keys[0] === "all" || keys[0] === "any")) {
        if (Array.isArray(value[keys[0]])) {
          return { group: keys[0], children: value[keys[0]].map(this.parse, this) };
        }
      }
      if (keys.length === 1 && keys[0] === "not") {
        var inner = value.not;
        if (isObject(inner) && Object.keys(inner).length === 1 && Array.isArray(inner.any)) {
          return { group: "not", children: inner.any.map(this.parse, this) };
        }
        return { group: "not", children: [this.parse(inner)] };
      }
      var kind = this.kindOf(value);
      if (kind) {
        return { rule: clone(value) };
      }
    }
    return { raw: value };
  };

  // The condition kind of a rule object, if it is one the builder can show in full.
  Builder.prototype.kindOf = function (rule) {
    var keys = Object.keys(rule);
    var kinds = this.vocabulary.kinds;
    for (var i = 0; i < kinds.length; i += 1) {
      var kind = kinds[i];
      if (Object.prototype.hasOwnProperty.call(rule, kind.key)) {
        var fits = keys.every(function (key) {
          return kind.keys.indexOf(key) !== -1;
        });
        return fits ? kind.key : null;
      }
    }
    return null;
  };

  // Writing nodes as JSON ----------------------------------------------------------------

  Builder.prototype.serialize = function (node) {
    if (node.group) {
      var parts = node.children.map(this.serialize, this);
      if (node.group === "not") {
        // "none of" is NOT(any of …); one condition needs no "any" around it.
        return { not: parts.length === 1 ? parts[0] : { any: parts } };
      }
      var group = {};
      group[node.group] = parts;
      return group;
    }
    return "raw" in node ? node.raw : node.rule;
  };

  Builder.prototype.commit = function (rerender, focusKey) {
    this.textarea.value = JSON.stringify(this.serialize(this.root));
    this.textarea.dispatchEvent(new CustomEvent(CHANGE_EVENT, { bubbles: true }));
    if (rerender) {
      this.render(focusKey);
    }
  };

  // Defaults for a new or changed condition ----------------------------------------------

  Builder.prototype.defaultRule = function (kind) {
    var v = this.vocabulary;
    switch (kind) {
      case "attribute":
        return v.attributes.length
          ? this.attributeRule(v.attributes[0], null, undefined)
          : { attribute: "", op: "declared" };
      case "consent":
        return { consent: firstKey(v.purposes) };
      case "tier":
        return { tier: firstKey(v.tiers) };
      case "balance_gte":
        return { balance_gte: 100 };
      case "earned_within_days":
        return { earned_within_days: 30, gte: 100 };
      case "completed_campaign":
        return { completed_campaign: firstKey(v.campaigns) };
      case "outcome":
        return { outcome: this.outcomeValue(this.firstCampaignWithOutcomes(), null) };
      case "completed_challenge":
        return { completed_challenge: firstKey(v.challenges) };
      case "segment":
        return { segment: firstKey(v.segments) };
      case "churn_risk":
        return { churn_risk: firstKey(v.churn_bands) };
      default: {
        var rule = {};
        rule[kind] = "";
        return rule;
      }
    }
  };

  Builder.prototype.operatorsFor = function (attribute) {
    return (attribute && this.vocabulary.operators[attribute.kind]) || [];
  };

  Builder.prototype.shapeOf = function (attribute, op) {
    var operator = findByKey(this.operatorsFor(attribute), op);
    return operator ? operator.value : "none";
  };

  Builder.prototype.defaultValue = function (attribute, shape) {
    var low = attribute.min === null ? 0 : attribute.min;
    switch (shape) {
      case "choice":
        return firstKey(attribute.values);
      case "choices":
        return attribute.values.length ? [attribute.values[0].key] : [];
      case "number":
        return low;
      case "range":
        return [low, attribute.max === null ? low : attribute.max];
      case "days":
        return 30;
      default:
        return undefined;
    }
  };

  // An attribute condition for `attribute`, keeping the operator and value where they fit.
  Builder.prototype.attributeRule = function (attribute, op, value) {
    var operators = this.operatorsFor(attribute);
    var chosen = findByKey(operators, op) || operators[0];
    var rule = { attribute: attribute.key, op: chosen ? chosen.key : "declared" };
    var shape = chosen ? chosen.value : "none";
    if (shape !== "none") {
      rule.value = value !== undefined ? value : this.defaultValue(attribute, shape);
    }
    return rule;
  };

  Builder.prototype.firstCampaignWithOutcomes = function () {
    var campaigns = this.vocabulary.campaigns;
    for (var i = 0; i < campaigns.length; i += 1) {
      if (campaigns[i].outcomes.length) {
        return campaigns[i];
      }
    }
    return campaigns[0] || null;
  };

  Builder.prototype.outcomeValue = function (campaign, outcomeKey) {
    if (!campaign) {
      return "";
    }
    return campaign.key + "/" + (outcomeKey || firstKey(campaign.outcomes));
  };

  // Rendering ------------------------------------------------------------------------------

  Builder.prototype.render = function (focusKey) {
    this.tree.replaceChildren(this.renderGroup(this.root, "r", null, null));
    if (focusKey) {
      var target = this.tree.querySelector('[data-rb-key="' + focusKey + '"]');
      if (target) {
        target.focus();
      }
    }
  };

  // A <select> with a label; a current value the list no longer has is kept and marked.
  Builder.prototype.select = function (key, label, options, current, onChange) {
    var id = "rule-builder-" + (uid += 1);
    var select = make("select", { id: id, "data-rb-key": key });
    var known = false;
    options.forEach(function (option) {
      known = known || option.key === current;
      select.appendChild(make("option", { value: option.key, text: option.label }));
    });
    if (!known) {
      var shown = current === "" || current === null || current === undefined;
      select.insertBefore(
        make("option", {
          value: shown ? "" : String(current),
          text: shown ? "—" : String(current) + " " + this.text.missing,
        }),
        select.firstChild
      );
    }
    select.value = current === null || current === undefined ? "" : String(current);
    select.addEventListener("change", function () {
      onChange(select.value);
    });
    return make("div", { className: "rule-builder__field" }, [
      make("label", { for: id, text: label }),
      select,
    ]);
  };

  Builder.prototype.number = function (key, label, current, minimum, maximum, onInput) {
    var id = "rule-builder-" + (uid += 1);
    var input = make("input", {
      id: id,
      type: "number",
      step: "1",
      inputmode: "numeric",
      min: minimum === null || minimum === undefined ? null : String(minimum),
      max: maximum === null || maximum === undefined ? null : String(maximum),
      "data-rb-key": key,
    });
    input.value = current === null || current === undefined ? "" : String(current);
    input.addEventListener("input", function () {
      onInput(toNumber(input.value));
    });
    return make("div", { className: "rule-builder__field" }, [
      make("label", { for: id, text: label }),
      input,
    ]);
  };

  Builder.prototype.checkboxes = function (key, label, options, current, onChange) {
    var chosen = Array.isArray(current) ? current.slice() : [];
    var boxes = [];
    var fieldset = make("fieldset", { className: "rule-builder__field rule-builder__choices" }, [
      make("legend", { text: label }),
    ]);
    var all = options.slice();
    chosen.forEach(function (value) {
      if (!findByKey(all, value)) {
        all.push({ key: value, label: value + " " + this.text.missing });
      }
    }, this);
    all.forEach(function (option, index) {
      var id = "rule-builder-" + (uid += 1);
      var box = make("input", {
        id: id,
        type: "checkbox",
        value: option.key,
        "data-rb-key": key + "-" + index,
      });
      box.checked = chosen.indexOf(option.key) !== -1;
      box.addEventListener("change", function () {
        onChange(
          boxes
            .filter(function (b) {
              return b.checked;
            })
            .map(function (b) {
              return b.value;
            })
        );
      });
      boxes.push(box);
      fieldset.appendChild(
        make("span", { className: "rule-builder__choice" }, [
          box,
          make("label", { for: id, text: option.label }),
        ])
      );
    });
    return fieldset;
  };

  Builder.prototype.button = function (key, label, className, onClick) {
    var button = make("button", {
      type: "button",
      className: "button rule-builder__button " + className,
      "data-rb-key": key,
      text: label,
    });
    button.addEventListener("click", onClick);
    return button;
  };

  Builder.prototype.renderGroup = function (node, path, parent, index) {
    var builder = this;
    var text = this.text;
    var groups = this.vocabulary.groups;
    var heading = this.select(path + "/group", text.group_type, groups, node.group, function (op) {
      node.group = op;
      builder.commit(false);
    });
    heading.classList.add("rule-builder__group-type");
    var items = make("ol", { className: "rule-builder__items" });
    node.children.forEach(function (child, position) {
      var childPath = path + "." + position;
      items.appendChild(
        make("li", { className: "rule-builder__item" }, [
          child.group
            ? builder.renderGroup(child, childPath, node, position)
            : builder.renderCondition(child, childPath, node, position),
        ])
      );
    });
    var actions = make("div", { className: "rule-builder__actions" }, [
      this.button(path + "/add-condition", text.add_condition, "rule-builder__add", function () {
        var v = builder.vocabulary;
        var kind = v.attributes.length ? "attribute" : v.kinds[0].key;
        node.children.push({ rule: builder.defaultRule(kind) });
        builder.commit(true, path + "." + (node.children.length - 1) + "/kind");
      }),
      this.button(path + "/add-group", text.add_group, "rule-builder__add", function () {
        node.children.push({ group: "all", children: [] });
        builder.commit(true, path + "." + (node.children.length - 1) + "/group");
      }),
      parent
        ? this.button(path + "/remove", text.remove_group, "rule-builder__remove", function () {
            parent.children.splice(index, 1);
            builder.commit(true, path.slice(0, path.lastIndexOf(".")) + "/add-condition");
          })
        : null,
    ]);
    return make("fieldset", { className: "rule-builder__group", "data-rb-group": node.group }, [
      make("legend", { className: "rule-builder__legend", text: text.group }),
      heading,
      items,
      node.children.length
        ? null
        : make("p", { className: "rule-builder__empty help", text: text.empty_group }),
      actions,
    ]);
  };

  Builder.prototype.renderCondition = function (node, path, parent, index) {
    var builder = this;
    var text = this.text;
    var remove = this.button(
      path + "/remove",
      text.remove_condition,
      "rule-builder__remove",
      function () {
        parent.children.splice(index, 1);
        builder.commit(true, path.slice(0, path.lastIndexOf(".")) + "/add-condition");
      }
    );
    var row = make("fieldset", { className: "rule-builder__condition" }, [
      make("legend", { className: "rule-builder__legend", text: text.condition }),
    ]);
    if ("raw" in node) {
      row.appendChild(make("p", { className: "help", text: text.unknown }));
      row.appendChild(
        make("code", { className: "rule-builder__raw", text: JSON.stringify(node.raw) })
      );
      row.appendChild(remove);
      return row;
    }
    var kind = this.kindOf(node.rule);
    row.appendChild(
      this.select(path + "/kind", text.kind, this.vocabulary.kinds, kind, function (value) {
        node.rule = builder.defaultRule(value);
        builder.commit(true, path + "/kind");
      })
    );
    this.conditionFields(node, path, kind).forEach(function (field) {
      row.appendChild(field);
    });
    row.appendChild(remove);
    return row;
  };

  // The inputs one kind of condition needs, each writing straight into `node.rule`.
  Builder.prototype.conditionFields = function (node, path, kind) {
    var builder = this;
    var v = this.vocabulary;
    var text = this.text;
    var rule = node.rule;
    function changed() {
      builder.commit(false);
    }
    function pick(field, label, options) {
      return builder.select(path + "/" + field, label, options, rule[field], function (value) {
        rule[field] = value;
        changed();
      });
    }
    switch (kind) {
      case "attribute":
        return this.attributeFields(node, path);
      case "consent":
        return [pick("consent", text.purpose, v.purposes)];
      case "tier":
        return [pick("tier", text.tier, v.tiers)];
      case "completed_campaign":
        return [pick("completed_campaign", text.campaign, v.campaigns)];
      case "completed_challenge":
        return [pick("completed_challenge", text.challenge, v.challenges)];
      case "segment":
        return [pick("segment", text.segment, v.segments)];
      case "churn_risk":
        return [pick("churn_risk", text.band, v.churn_bands)];
      case "balance_gte":
        return [
          this.number(path + "/balance_gte", text.points, rule.balance_gte, 0, null, function (n) {
            rule.balance_gte = n;
            changed();
          }),
        ];
      case "earned_within_days":
        return [
          this.number(path + "/gte", text.points, rule.gte, 1, null, function (n) {
            rule.gte = n;
            changed();
          }),
          this.number(
            path + "/earned_within_days",
            text.days,
            rule.earned_within_days,
            1,
            null,
            function (n) {
              rule.earned_within_days = n;
              changed();
            }
          ),
        ];
      case "outcome":
        return this.outcomeFields(node, path);
      default:
        return [];
    }
  };

  Builder.prototype.attributeFields = function (node, path) {
    var builder = this;
    var text = this.text;
    var rule = node.rule;
    var attributes = this.vocabulary.attributes;
    var attribute = findByKey(attributes, rule.attribute);
    var fields = [
      this.select(path + "/attribute", text.attribute, attributes, rule.attribute, function (key) {
        var chosen = findByKey(attributes, key);
        node.rule = chosen
          ? builder.attributeRule(chosen, rule.op, undefined)
          : { attribute: key, op: rule.op };
        builder.commit(true, path + "/attribute");
      }),
    ];
    var operators = this.operatorsFor(attribute);
    fields.push(
      this.select(path + "/op", text.operator, operators, rule.op, function (op) {
        var keep =
          attribute && builder.shapeOf(attribute, op) === builder.shapeOf(attribute, rule.op);
        node.rule = attribute
          ? builder.attributeRule(attribute, op, keep ? rule.value : undefined)
          : { attribute: rule.attribute, op: op };
        builder.commit(true, path + "/op");
      })
    );
    if (!attribute) {
      return fields;
    }
    function set(value) {
      rule.value = value;
      builder.commit(false);
    }
    var low = attribute.min;
    var high = attribute.max;
    switch (this.shapeOf(attribute, rule.op)) {
      case "choice":
        fields.push(this.select(path + "/value", text.value, attribute.values, rule.value, set));
        break;
      case "choices":
        fields.push(
          this.checkboxes(path + "/value", text.values, attribute.values, rule.value, set)
        );
        break;
      case "number":
        fields.push(this.number(path + "/value", text.value, rule.value, low, high, set));
        break;
      case "range": {
        var range = Array.isArray(rule.value) ? rule.value.slice(0, 2) : [null, null];
        fields.push(
          this.number(path + "/low", text.low, range[0], low, high, function (n) {
            range[0] = n;
            set(range.slice());
          }),
          this.number(path + "/high", text.high, range[1], low, high, function (n) {
            range[1] = n;
            set(range.slice());
          })
        );
        break;
      }
      case "days":
        fields.push(this.number(path + "/value", text.days, rule.value, 1, null, set));
        break;
      default:
        break;
    }
    return fields;
  };

  Builder.prototype.outcomeFields = function (node, path) {
    var builder = this;
    var text = this.text;
    var parts = typeof node.rule.outcome === "string" ? node.rule.outcome.split("/") : ["", ""];
    var campaigns = this.vocabulary.campaigns;
    var campaign = findByKey(campaigns, parts[0]);
    var outcomes = campaign ? campaign.outcomes : [];
    return [
      this.select(path + "/campaign", text.campaign, campaigns, parts[0], function (slug) {
        var chosen = findByKey(campaigns, slug);
        node.rule = { outcome: chosen ? builder.outcomeValue(chosen, null) : slug + "/" };
        builder.commit(true, path + "/campaign");
      }),
      this.select(path + "/outcome", text.outcome, outcomes, parts[1], function (key) {
        node.rule = { outcome: parts[0] + "/" + key };
        builder.commit(false);
      }),
    ];
  };

  function enhance(wrapper) {
    var textarea = wrapper.querySelector("textarea");
    var data = document.getElementById(wrapper.getAttribute("data-rule-builder"));
    if (!textarea || !data || wrapper.classList.contains("rule-builder--enhanced")) {
      return;
    }
    new Builder(wrapper, textarea, JSON.parse(data.textContent));
  }

  function start() {
    document.querySelectorAll("[data-rule-builder]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
