// Components drawn again only when their props change (Preact's compat
// layer has this too, but it also rewrites every element's props).

import { type Component, type FunctionComponent, createElement } from "preact";

function shallowEqual<P extends object>(a: P, b: P): boolean {
  for (const k in a) if (!(k in b)) return false;
  for (const k in b) if (a[k] !== b[k]) return false;
  return true;
}

export function memo<P extends object>(c: FunctionComponent<P>, equal: (a: P, b: P) => boolean = shallowEqual): FunctionComponent<P> {
  function Memo(this: Component<P>, props: P) {
    this.shouldComponentUpdate = (next: P) => !equal(this.props as P, next);
    return createElement(c as FunctionComponent<P & object>, props);
  }
  Memo.displayName = `Memo(${c.displayName ?? c.name})`;
  return Memo as FunctionComponent<P>;
}
