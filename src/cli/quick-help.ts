/**
 * `scout --help`, rendered from command-index.ts without loading commander (about 70 M
 * instructions of start-up, most of it the `node:child_process` commander's module requires;
 * issue #10 wants `scout --help` within 0.1 s). The text must be byte for byte what commander
 * prints for the full command tree: test/cli/quick-help.test.ts compares the two at many
 * terminal widths, so a change to commander's layout or to a command shows there.
 */
import { COMMAND_STUBS, GLOBAL_OPTIONS, IMAGE_DESCRIPTION, PROGRAM_DESCRIPTION, VERSION_DESCRIPTION } from './command-index.js';

/** Commander's own entries: its version option, help option and help command. */
const VERSION_OPTION = { term: '-V, --version', description: 'output the version number' };
const HELP_OPTION = { term: '-h, --help', description: 'display help for command' };
const HELP_COMMAND = { term: 'help [command]', description: 'display help for command' };

/** Below this many columns for a description commander leaves it unwrapped (Help.minWidthToWrap). */
const MIN_WIDTH_TO_WRAP = 40;

/**
 * The program's help as commander prints it: `width` is the terminal's columns when standard
 * output is a terminal (undefined otherwise, which commander takes as 80), `name` the program's
 * name in the usage line.
 */
export function programHelp(width: number | undefined, name = 'scout'): string {
  const helpWidth = width ?? 80;
  const options = [VERSION_OPTION, ...GLOBAL_OPTIONS.map((o) => ({ term: o.flags, description: o.description })), HELP_OPTION];
  const commands = [
    { term: 'version', description: VERSION_DESCRIPTION },
    { term: 'image', description: IMAGE_DESCRIPTION },
    ...Object.values(COMMAND_STUBS),
    HELP_COMMAND,
  ];
  let termWidth = 0;
  for (const i of [...options, ...commands]) termWidth = Math.max(termWidth, i.term.length);
  const item = (i: { term: string; description: string }) => formatItem(i.term, termWidth, i.description, helpWidth);
  return [
    `Usage: ${name} [options] [command]`,
    '',
    boxWrap(PROGRAM_DESCRIPTION, helpWidth),
    '',
    'Options:',
    ...options.map(item),
    '',
    'Commands:',
    ...commands.map(item),
    '',
  ].join('\n');
}

/** A term padded to the widest, then its description wrapped in the columns left (Help.formatItem). */
function formatItem(term: string, termWidth: number, description: string, helpWidth: number): string {
  const indent = '  ';
  const spacer = 2;
  const remaining = helpWidth - termWidth - spacer - indent.length;
  // Commander leaves a description with its own indented lines as it is.
  const preformatted = /\n[^\S\r\n]/.test(description);
  const text = remaining < MIN_WIDTH_TO_WRAP || preformatted ? description : boxWrap(description, remaining).replace(/\n/g, '\n' + ' '.repeat(termWidth + spacer));
  return indent + term.padEnd(termWidth) + ' '.repeat(spacer) + text.replace(/\n/g, `\n${indent}`);
}

/** Wrap at whitespace, keeping existing line breaks (Help.boxWrap; the text has no colour codes). */
function boxWrap(str: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return str;
  const lines: string[] = [];
  for (const line of str.split(/\r\n|\n/)) {
    const chunks = line.match(/[\s]*[^\s]+/g);
    if (chunks === null) {
      lines.push('');
      continue;
    }
    let current = chunks[0];
    for (const chunk of chunks.slice(1)) {
      if (current.length + chunk.length <= width) {
        current += chunk;
        continue;
      }
      lines.push(current);
      current = chunk.trimStart();
    }
    lines.push(current);
  }
  return lines.join('\n');
}
