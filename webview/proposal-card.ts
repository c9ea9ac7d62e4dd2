// The pending proposal as a card: old -> new per hyperparameter, the rationale (as text),
// the confidence, and Accept / Edit / Reject. Edit turns the new values into text fields;
// the values are checked against the space here for a quick message, and again by the host
// through the co-pilot's safety rules, which are the ones that count.

import { type HyperparamSpec, type HyperparamValues, checkValue, findSpec } from '../src/shared/hyperparams';
import type { PanelToHost, ProposalInfo } from '../src/shared/webview-protocol';
import { h } from './dom';
import { formatChange, formatNumber, formatValue } from './format';

export class ProposalCard {
  private proposal: ProposalInfo | null = null;
  private editing = false;

  constructor(
    private readonly root: HTMLElement,
    private space: HyperparamSpec[],
    private readonly post: (m: PanelToHost) => void,
  ) {
    this.render();
  }

  setSpace(space: HyperparamSpec[]): void {
    this.space = space;
  }

  show(p: ProposalInfo | null): void {
    // A new proposal replaces an edit in progress only if it is a different one.
    if (p?.id !== this.proposal?.id) this.editing = false;
    this.proposal = p;
    this.render();
  }

  private render(): void {
    const p = this.proposal;
    this.root.replaceChildren();
    this.root.hidden = !p;
    if (!p) return;
    const confidence = p.confidence !== undefined ? ` · confidence ${Math.round(p.confidence * 100)}%` : '';
    const rows = p.changes.map((c) => {
      const to = this.editing
        ? h('vscode-textfield', {
            'data-testid': `proposal-edit-${c.name}`,
            'data-name': c.name,
            'aria-label': `New value for ${c.name}`,
            value: formatValue(c.to),
          })
        : h('span', { class: 'to' }, formatValue(c.to), h('span', { class: 'delta' }, ` ${formatChange(c.from, c.to)}`));
      return h(
        'tr',
        { 'data-testid': `proposal-row-${c.name}` },
        h('th', { scope: 'row', title: findSpec(this.space, c.name)?.description ?? '' }, c.name),
        h('td', { class: 'from' }, formatValue(c.from)),
        h('td', { 'aria-hidden': 'true', class: 'arrow' }, '→'),
        h('td', {}, to, c.note ? h('div', { class: 'note' }, c.note) : undefined),
      );
    });
    const table = h(
      'table',
      { 'aria-label': 'Proposed changes' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Hyperparameter'), h('th', { scope: 'col' }, 'Now'), h('th', { 'aria-hidden': 'true' }), h('th', { scope: 'col' }, 'Proposed'))),
      h('tbody', {}, ...rows),
    );
    const error = h('p', { id: 'proposal-error', class: 'error', role: 'alert', 'data-testid': 'proposal-error' });
    const buttons = this.editing
      ? [
          this.button('proposal-apply-edit', 'Apply edited values', 'Apply the edited values', false, () => this.applyEdit(error)),
          this.button('proposal-cancel-edit', 'Cancel', 'Cancel editing', true, () => {
            this.editing = false;
            this.render();
          }),
        ]
      : [
          this.button('proposal-accept', 'Accept', 'Accept the proposal', false, () => this.post({ type: 'accept', proposalId: p.id })),
          this.button('proposal-edit', 'Edit', 'Edit the proposed values', true, () => {
            this.editing = true;
            this.render();
            this.root.querySelector<HTMLElement>('vscode-textfield')?.focus();
          }),
          this.button('proposal-reject', 'Reject', 'Reject the proposal', true, () => this.post({ type: 'reject', proposalId: p.id })),
        ];
    this.root.append(
      h('h2', { id: 'proposal-title' }, `Proposal at step ${formatNumber(p.step)}`),
      h('p', { class: 'meta', 'data-testid': 'proposal-meta' }, `from ${p.controller}${confidence}`),
      table,
      h('p', { class: 'rationale', 'data-testid': 'proposal-rationale' }, p.rationale),
      h('div', { class: 'actions' }, ...buttons),
      error,
    );
  }

  private button(testid: string, text: string, label: string, secondary: boolean, onClick: () => void): HTMLElement {
    const b = h('vscode-button', { 'data-testid': testid, 'aria-label': label, secondary }, text);
    b.addEventListener('click', onClick);
    return b;
  }

  private applyEdit(error: HTMLElement): void {
    const p = this.proposal;
    if (!p) return;
    const values: HyperparamValues = {};
    const problems: string[] = [];
    for (const field of this.root.querySelectorAll<HTMLElement & { value: string }>('vscode-textfield[data-name]')) {
      const name = field.dataset.name!;
      const spec = findSpec(this.space, name);
      if (!spec) {
        problems.push(`${name} is not in this run's hyperparameter space`);
        continue;
      }
      const c = checkValue(spec, field.value);
      if (c.ok) values[name] = c.value;
      else problems.push(c.error);
      field.toggleAttribute('invalid', !c.ok);
    }
    if (problems.length) {
      error.textContent = problems.join('; ');
      return;
    }
    this.post({ type: 'edit', proposalId: p.id, values });
  }
}
