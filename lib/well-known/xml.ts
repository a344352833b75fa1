import { XMLBuilder } from "fast-xml-parser";

/**
 * XML documents as trees of elements, written by fast-xml-parser's builder (which escapes text and attribute
 * values), in document order, indented by two spaces, with the XML declaration.
 */
export interface XmlElement {
  name: string;
  attributes?: Record<string, string>;
  /** Text content, or child elements; none gives an empty element (`<true/>`). */
  content?: string | XmlElement[];
}

export const el = (name: string, content?: string | XmlElement[], attributes?: Record<string, string>): XmlElement => ({
  name,
  content,
  attributes,
});

type OrderedNode = Record<string, unknown>;

function ordered(element: XmlElement): OrderedNode {
  const children =
    element.content === undefined
      ? []
      : typeof element.content === "string"
        ? [{ "#text": element.content }]
        : element.content.map(ordered);
  const node: OrderedNode = { [element.name]: children };
  if (element.attributes)
    node[":@"] = Object.fromEntries(Object.entries(element.attributes).map(([k, v]) => [`@_${k}`, v]));
  return node;
}

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
});

/** `<?xml version="1.0" encoding="UTF-8"?>`, an optional DOCTYPE line, then the root element. */
export function renderXml(root: XmlElement, doctype?: string): string {
  const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  return `${declaration}${doctype ? `${doctype}\n` : ""}${builder.build([ordered(root)]).trim()}\n`;
}
