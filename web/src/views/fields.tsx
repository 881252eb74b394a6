// Small inputs shared by the views.

import { useEffect, useState } from "preact/hooks";
import { msf, parseMsf } from "../model/time";

let ids = 0;
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++ids}`);
  return id;
}

/** A length in mm:ss:ff (or sectors), taken on Enter or leaving the field. */
export function TimeField(props: {
  label: string;
  value: number | null;
  placeholder?: string;
  max?: number;
  onChange: (sectors: number | null) => void;
  hint?: string;
  allowEmpty?: boolean;
}) {
  const id = useId("time");
  const [text, setText] = useState(props.value === null ? "" : msf(props.value));
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setText(props.value === null ? "" : msf(props.value));
    setProblem(null);
  }, [props.value]);
  const commit = () => {
    if (text.trim() === "" && props.allowEmpty) {
      setProblem(null);
      if (props.value !== null) props.onChange(null);
      return;
    }
    const n = parseMsf(text);
    if (n === null) return setProblem("mm:ss:ff (75 frames a second), mm:ss or a number of sectors");
    if (props.max !== undefined && n > props.max) return setProblem(`at most ${msf(props.max)}`);
    setProblem(null);
    if (n !== props.value) props.onChange(n);
  };
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        class="time"
        value={text}
        placeholder={props.placeholder}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem || props.hint ? `${id}-d` : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
        onBlur={commit}
        onKeyDown={(e) => e.key === "Enter" && commit()}
      />
      {(problem || props.hint) && (
        <small id={`${id}-d`} class={problem ? "bad" : "hint"}>
          {problem ?? props.hint}
        </small>
      )}
    </div>
  );
}

/** A text field checked as it is typed; `problem` says what is wrong. */
export function TextField(props: {
  label: string;
  value: string;
  placeholder?: string;
  problem?: string | null;
  onInput: (v: string) => void;
  class?: string;
  maxLength?: number;
  hideLabel?: boolean;
}) {
  const id = useId("text");
  return (
    <div class={`field ${props.class ?? ""}`}>
      <label for={id} class={props.hideLabel ? "sr" : undefined}>
        {props.label}
      </label>
      <input
        id={id}
        value={props.value}
        placeholder={props.placeholder}
        maxLength={props.maxLength}
        aria-invalid={props.problem ? "true" : undefined}
        aria-describedby={props.problem ? `${id}-d` : undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.problem && (
        <small id={`${id}-d`} class="bad" role="status">
          {props.problem}
        </small>
      )}
    </div>
  );
}

export function Check(props: { label: string; checked: boolean | null; onChange: (v: boolean) => void; hint?: string }) {
  const id = useId("check");
  return (
    <div class="field check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked === true}
        ref={(el) => {
          if (el) el.indeterminate = props.checked === null;
        }}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

export function Select<T extends string>(props: {
  label: string;
  value: T | null;
  options: [T, string][];
  onChange: (v: T) => void;
}) {
  const id = useId("select");
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value ?? ""} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
        {props.value === null && <option value="">(mixed)</option>}
        {props.options.map(([v, l]) => (
          <option value={v}>{l}</option>
        ))}
      </select>
    </div>
  );
}
