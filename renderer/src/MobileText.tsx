// A phone as the officer reads it on the list and the detail: a Vietnamese mobile number in the
// national form ("0983 847 986", never +84); anything else (legacy rows, the seed's "1231231") exactly
// as declared with a "không hợp lệ" tag, so it is not taken for a number the person can be reached at.
import { Tag } from 'antd';
import { MOBILE_NOT_VALID, shownMobile } from '../../contract/identity';

const WHY = 'Không phải số điện thoại di động Việt Nam: hiển thị đúng như đã khai.';

/** Nothing for an empty value; `stacked` puts the tag under the number (the list's narrow column). */
export function MobileText({
  value,
  stacked = false,
}: {
  value: string | null | undefined;
  stacked?: boolean;
}) {
  const m = shownMobile(value);
  if (!m.text) return null;
  if (m.valid) return <span className="ws-nowrap">{m.text}</span>;
  return (
    <span
      className={stacked ? 'ws-mobile-bad ws-mobile-stacked' : 'ws-mobile-bad'}
      title={WHY}
      data-mobile-valid="false"
    >
      <span className="ws-nowrap">{m.text}</span>
      <Tag color="orange" className="ws-mobile-tag">
        {MOBILE_NOT_VALID}
      </Tag>
    </span>
  );
}
